-- ==== start (expand) ====

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "products_truncated" BEFORE TRUNCATE ON public.products FOR EACH STATEMENT EXECUTE FUNCTION public.note_truncate();

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- ==== complete (contract) ====

-- lock: SHARE ROW EXCLUSIVE on public.users
CREATE OR REPLACE TRIGGER "users_audit" AFTER INSERT OR UPDATE OR DELETE ON public.users FOR EACH ROW EXECUTE FUNCTION public.audit_row();

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "products_truncated" ON public.products;
