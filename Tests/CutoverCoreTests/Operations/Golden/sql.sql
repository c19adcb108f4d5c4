-- ==== start (expand) ====

-- lock: unknown
CREATE EXTENSION IF NOT EXISTS citext;

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- ==== complete (contract) ====

-- nothing to do

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: unknown
DROP EXTENSION IF EXISTS citext;
