-- An added nullable column: no table rewrite, old code that does not know it keeps working.
-- cutover:up
ALTER TABLE users ADD COLUMN phone text;

-- cutover:down
ALTER TABLE users DROP COLUMN phone;
