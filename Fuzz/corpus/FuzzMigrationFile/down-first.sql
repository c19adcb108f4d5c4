-- cutover:down
DROP TABLE x;
-- cutover:up
