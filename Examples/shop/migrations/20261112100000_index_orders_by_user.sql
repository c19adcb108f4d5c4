-- On PostgreSQL, write CREATE INDEX CONCURRENTLY in a `-- cutover:no-transaction`
-- migration so writes are not blocked while the index builds; SQLite has no such form.
-- cutover:up
CREATE INDEX orders_user_id ON orders (user_id);

-- cutover:down
DROP INDEX orders_user_id;
