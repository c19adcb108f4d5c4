-- ==== start (expand) ====

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- no table lock
DO $cutover$ BEGIN
  PERFORM set_config('search_path', '"public_20261201120000", "public"', true);
  EXECUTE 'CREATE OR REPLACE FUNCTION "public_20261201120000"."user_label"(u users) RETURNS text
LANGUAGE sql AS $body1$SELECT u.name || '' $body$ '' || u.nickname$body1$';
END $cutover$;

-- ==== complete (contract) ====

-- no table lock
DO $cutover$ BEGIN
  PERFORM set_config('search_path', '"public"', true);
  EXECUTE 'CREATE OR REPLACE FUNCTION public.user_label(u users) RETURNS text
LANGUAGE sql AS $body1$SELECT u.name || '' $body$ '' || u.nickname$body1$';
END $cutover$;

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;
