-- ==== start (expand) ====

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS "_cutover_new_status" text DEFAULT 'active';

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS "_cutover_needs_backfill_20261201120000" boolean DEFAULT true;

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_users_status_up() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "nickname" public.users."nickname"%TYPE := NEW."nickname";
BEGIN
  IF coalesce(current_setting('cutover.backfill', true), '') NOT IN ('', '20261201120000') THEN RETURN NEW; END IF;
  IF NOT ((CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END)) OR (TG_OP = 'UPDATE' AND OLD."_cutover_needs_backfill_20261201120000" AND NEW."_cutover_new_status" IS NOT DISTINCT FROM OLD."_cutover_new_status") THEN
    NEW."_cutover_new_status" := CASE WHEN nickname = '' THEN 'new' ELSE 'active' END;
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.users
CREATE OR REPLACE TRIGGER "_cutover_users_status_up" BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public._cutover_users_status_up();

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users ADD CONSTRAINT "_cutover_users_status_not_null" CHECK ("_cutover_new_status" IS NOT NULL) NOT VALID;

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_users_backfilled_20261201120000() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
BEGIN
  IF coalesce(current_setting('cutover.backfill', true), '') NOT IN ('', '20261201120000') THEN RETURN NEW; END IF;
  NEW."_cutover_needs_backfill_20261201120000" := false;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.users
CREATE OR REPLACE TRIGGER "_cutover_users_backfilled_20261201120000" BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public._cutover_users_backfilled_20261201120000();

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname", "_cutover_new_status" AS "status" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price" FROM public.products;

-- backfill public.users (_cutover_new_status): batched no-op updates of the rows WHERE _cutover_needs_backfill_20261201120000 fire the dual-write triggers

-- ==== complete (contract) ====

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_status_up" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_status_up();

-- lock: SHARE UPDATE EXCLUSIVE on public.users
ALTER TABLE public.users VALIDATE CONSTRAINT "_cutover_users_status_not_null";

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users ALTER COLUMN "_cutover_new_status" SET NOT NULL;

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS "_cutover_users_status_not_null";

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users RENAME COLUMN "_cutover_new_status" TO "status";

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_backfilled_20261201120000" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_backfilled_20261201120000();

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP COLUMN IF EXISTS "_cutover_needs_backfill_20261201120000";

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS "_cutover_users_status_not_null";

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_status_up" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_status_up();

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP COLUMN IF EXISTS "_cutover_new_status";

-- lock: ACCESS EXCLUSIVE on public.users
DROP TRIGGER IF EXISTS "_cutover_users_backfilled_20261201120000" ON public.users;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_users_backfilled_20261201120000();

-- lock: ACCESS EXCLUSIVE on public.users
ALTER TABLE public.users DROP COLUMN IF EXISTS "_cutover_needs_backfill_20261201120000";
