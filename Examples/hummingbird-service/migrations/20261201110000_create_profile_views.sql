-- How often each user's profile was read. Idempotent, as a migration SchemaRepair may apply
-- should be: a node may reach the repair after another one applied it.
-- cutover:up
CREATE TABLE IF NOT EXISTS profile_views (
    user_id bigint PRIMARY KEY,
    views integer NOT NULL DEFAULT 0
);

-- cutover:down
DROP TABLE profile_views;
