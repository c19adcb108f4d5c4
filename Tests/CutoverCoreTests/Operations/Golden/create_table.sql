-- ==== start (expand) ====

-- lock: ACCESS EXCLUSIVE on public.orders
CREATE TABLE public.orders (
  "id" bigint PRIMARY KEY,
  "user_id" bigint NOT NULL,
  "total" numeric(10,2) DEFAULT 0 NOT NULL
);

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- lock: ACCESS SHARE on public.orders
CREATE OR REPLACE VIEW "public_20261201120000"."orders" WITH (security_invoker = true) AS SELECT "id", "user_id", "total" FROM public.orders;

-- ==== complete (contract) ====

-- nothing to do

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.orders
DROP TABLE IF EXISTS public.orders;
