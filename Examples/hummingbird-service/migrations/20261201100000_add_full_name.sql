-- full_name, filled row by row as the service reads users (LazyMigration): rows at
-- row_version 1 have none yet, rows at 2 have it.
-- cutover:up
ALTER TABLE users ADD COLUMN full_name text;
ALTER TABLE users ADD COLUMN row_version integer NOT NULL DEFAULT 1;

-- cutover:down
ALTER TABLE users DROP COLUMN row_version;
ALTER TABLE users DROP COLUMN full_name;
