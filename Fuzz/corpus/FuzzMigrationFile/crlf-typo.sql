-- cutover:up
SELECT 1;
-- cutover:dwon
