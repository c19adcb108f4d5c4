-- cutover:up
CREATE TABLE users (
    id integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- cutover:down
DROP TABLE users;
