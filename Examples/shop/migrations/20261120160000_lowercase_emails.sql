-- A data fix: e-mail addresses are compared case-insensitively from now on.
-- cutover:up
UPDATE users SET email = lower(email) WHERE email <> lower(email);

-- cutover:down empty
-- Irreversible by nature: the original capitalisation is gone. `empty` says rolling back
-- is a deliberate no-op (an unmarked empty down section is refused by `cutover rollback`).
