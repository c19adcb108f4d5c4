-- ==== start (expand) ====

-- lock: ACCESS EXCLUSIVE on public.orders
CREATE TABLE public.orders (
  "id" bigint PRIMARY KEY,
  "user_id" bigint
);

-- lock: SHARE ROW EXCLUSIVE on public.orders
ALTER TABLE public.orders ADD CONSTRAINT "orders_user_fk" FOREIGN KEY ("user_id") REFERENCES public.users ("id") NOT VALID;

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- lock: ACCESS SHARE on public.orders
CREATE OR REPLACE VIEW "public_20261201120000"."orders" WITH (security_invoker = true) AS SELECT "id", "user_id" FROM public.orders;

-- ==== complete (contract) ====

-- lock: SHARE UPDATE EXCLUSIVE on public.orders
ALTER TABLE public.orders VALIDATE CONSTRAINT "orders_user_fk";

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.orders
ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS "orders_user_fk";

-- lock: ACCESS EXCLUSIVE on public.orders
DROP TABLE IF EXISTS public.orders;
