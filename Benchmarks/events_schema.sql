-- The tables backup.sh and rehearse.sh fill: 10,000 accounts, and an events table each
-- script fills to its own size (backup.sh: SIZE_MB; rehearse.sh: SCALE rows).
CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 10000) g;
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id integer NOT NULL REFERENCES accounts (id),
    kind text NOT NULL,
    payload text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    created_at timestamptz NOT NULL
);
