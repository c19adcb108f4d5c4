-- ==== start (expand) ====

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_users_nickname_down() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "id" public.users."id"%TYPE := NEW."id";
  "name" public.users."name"%TYPE := NEW."name";
BEGIN
  IF (CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END) THEN
    NEW."nickname" := COALESCE(name, '');
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.users
CREATE OR REPLACE TRIGGER "_cutover_users_nickname_down" BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public._cutover_users_nickname_down();

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- ==== complete (contract) ====

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users ALTER COLUMN "nickname" DROP NOT NULL;

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_nickname_down" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_nickname_down();

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP COLUMN IF EXISTS "nickname";

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_nickname_down" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_nickname_down();
