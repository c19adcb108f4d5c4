-- The first version of the service: users with a first and a last name. The two rows stand
-- for data written before full_name existed; the service upgrades them as it reads them.
-- cutover:up
CREATE TABLE users (
    id bigint PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL
);
INSERT INTO users (id, first_name, last_name, email) VALUES
    (1, 'Ada', 'Lovelace', 'ada@example.com'),
    (2, 'Grace', 'Hopper', 'grace@example.com');

-- cutover:down
DROP TABLE users;
