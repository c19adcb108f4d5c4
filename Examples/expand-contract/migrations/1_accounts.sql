-- cutover:up
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance integer NOT NULL);
-- cutover:down
DROP TABLE accounts;
