-- ==== start (expand) ====

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD COLUMN IF NOT EXISTS "_cutover_new_price" integer;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD COLUMN IF NOT EXISTS "_cutover_needs_backfill" boolean DEFAULT true;

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_products_price_up() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "id" public.products."id"%TYPE := NEW."id";
  "price" public.products."price"%TYPE := NEW."price";
BEGIN
  IF (NOT ((CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END)) OR (TG_OP = 'UPDATE' AND OLD."_cutover_needs_backfill" AND NEW."_cutover_new_price" IS NOT DISTINCT FROM OLD."_cutover_new_price")) AND NOT coalesce((TG_OP = 'UPDATE' AND NEW."_cutover_new_price" IS DISTINCT FROM OLD."_cutover_new_price"), false) THEN
    NEW."_cutover_new_price" := GREATEST(price, 1);
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "_cutover_products_price_up" BEFORE INSERT OR UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public._cutover_products_price_up();

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_products_price_down() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "id" public.products."id"%TYPE := NEW."id";
  "price" public.products."_cutover_new_price"%TYPE := NEW."_cutover_new_price";
BEGIN
  IF (CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END) AND NOT coalesce((TG_OP = 'UPDATE' AND OLD."_cutover_needs_backfill" AND NEW."_cutover_new_price" IS NOT DISTINCT FROM OLD."_cutover_new_price"), false) THEN
    NEW."price" := price;
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "_cutover_products_price_down" BEFORE INSERT OR UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public._cutover_products_price_down();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "_cutover_products_price_not_null" CHECK ("_cutover_new_price" IS NOT NULL) NOT VALID;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "products_price_positive" CHECK ("_cutover_new_price" > 0 AND "_cutover_new_price" <> 13) NOT VALID;

-- lock: SHARE ROW EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "products_price_fk" FOREIGN KEY ("_cutover_new_price") REFERENCES public.users ("id") ON DELETE SET NULL NOT VALID;

-- lock: SHARE UPDATE EXCLUSIVE on public.products; alone, outside a transaction
CREATE UNIQUE INDEX CONCURRENTLY "products_price_key" ON public.products ("_cutover_new_price");

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_products_backfilled() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
BEGIN
  NEW."_cutover_needs_backfill" := false;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "_cutover_products_backfilled" BEFORE INSERT OR UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public._cutover_products_backfilled();

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.users
CREATE OR REPLACE VIEW "public_20261201120000"."users" WITH (security_invoker = true) AS SELECT "id", "name", "nickname" FROM public.users;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "_cutover_new_price" AS "price" FROM public.products;

-- backfill public.products (_cutover_new_price): batched no-op updates of the rows WHERE _cutover_needs_backfill fire the dual-write triggers

-- ==== complete (contract) ====

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ALTER COLUMN "price" DROP NOT NULL;

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_price_up" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_price_up();

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_price_down" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_price_down();

-- lock: SHARE UPDATE EXCLUSIVE on public.products
ALTER TABLE public.products VALIDATE CONSTRAINT "_cutover_products_price_not_null";

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ALTER COLUMN "_cutover_new_price" SET NOT NULL;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "_cutover_products_price_not_null";

-- lock: SHARE UPDATE EXCLUSIVE on public.products
ALTER TABLE public.products VALIDATE CONSTRAINT "products_price_positive";

-- lock: SHARE UPDATE EXCLUSIVE on public.products
ALTER TABLE public.products VALIDATE CONSTRAINT "products_price_fk";

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "products_price_key" UNIQUE USING INDEX "products_price_key";

-- lock: ACCESS EXCLUSIVE on public.products
DO $cutover$ BEGIN
  ALTER TABLE public.products DROP COLUMN IF EXISTS "price";
  ALTER TABLE public.products RENAME COLUMN "_cutover_new_price" TO "price";
END $cutover$;

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_backfilled" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_backfilled();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP COLUMN IF EXISTS "_cutover_needs_backfill";

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "_cutover_products_price_not_null";

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_price_up" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_price_up();

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_price_down" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_price_down();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "products_price_positive";

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "products_price_fk";

-- lock: SHARE UPDATE EXCLUSIVE on public.products; alone, outside a transaction
DROP INDEX CONCURRENTLY IF EXISTS public.products_price_key;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP COLUMN IF EXISTS "_cutover_new_price";

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_backfilled" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_backfilled();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP COLUMN IF EXISTS "_cutover_needs_backfill";
