-- cutover:up
CREATE FUNCTION f() RETURNS trigger AS $body$
BEGIN
  RAISE NOTICE 'semi; colon';  /* block ; comment */
  RETURN NEW;
END
$body$ LANGUAGE plpgsql;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;
SELECT "quoted;ident", E'\'' FROM t;
