-- cutover:up
CREATE TABLE orders (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    total_cents integer NOT NULL CHECK (total_cents >= 0),
    status text NOT NULL DEFAULT 'new',
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO users (id, email, name) VALUES
    (1, 'ada@example.com', 'Ada Lovelace'),
    (2, 'GRACE@EXAMPLE.COM', 'Grace Hopper');
INSERT INTO orders (id, user_id, total_cents, status) VALUES
    (1, 1, 1250, 'paid'),
    (2, 2, 9900, 'new'),
    (3, 2, 450, 'shipped');

-- cutover:down
DROP TABLE orders;
DELETE FROM users WHERE id IN (1, 2);
