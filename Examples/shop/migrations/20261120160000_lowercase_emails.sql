-- A data fix: e-mail addresses are compared case-insensitively from now on.
-- cutover:up
UPDATE users SET email = lower(email) WHERE email <> lower(email);

-- cutover:down
-- Irreversible by nature: the original capitalisation is gone. An empty down section
-- says rolling back is a deliberate no-op.
