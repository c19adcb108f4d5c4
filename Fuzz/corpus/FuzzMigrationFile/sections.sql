-- cutover:no-transaction
-- cutover:up
-- cutover:allow require-concurrent-index-creation
CREATE INDEX CONCURRENTLY users_email ON users (email);
CREATE TABLE t (id bigint PRIMARY KEY, note text DEFAULT 'it''s; fine');
-- cutover:down
DROP INDEX CONCURRENTLY users_email;
DROP TABLE t;
