-- On a big live PostgreSQL table, write CREATE INDEX CONCURRENTLY in a migration of its own
-- marked `-- cutover:no-transaction`, so writes are not blocked while the index builds
-- (`cutover lint` says so). Here `orders` was created two migrations earlier and holds only
-- its three seed rows on every environment of this example, so the plain form is accepted
-- explicitly; SQLite has no CONCURRENTLY form anyway.
-- cutover:up
-- cutover:allow require-concurrent-index-creation
CREATE INDEX orders_user_id ON orders (user_id);

-- cutover:down
-- cutover:allow require-concurrent-index-deletion
DROP INDEX orders_user_id;
