-- ==== start (expand) ====

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD COLUMN IF NOT EXISTS "_cutover_new_vendor_id" integer;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products ADD COLUMN IF NOT EXISTS "_cutover_needs_backfill" boolean DEFAULT true;

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_products_vendor_id_up() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "id" public.products."id"%TYPE := NEW."id";
  "price" public.products."price"%TYPE := NEW."price";
  "sku" public.products."sku"%TYPE := NEW."sku";
  "vendor_id" public.products."vendor_id"%TYPE := NEW."vendor_id";
BEGIN
  IF NOT ((CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END)) OR (TG_OP = 'UPDATE' AND OLD."_cutover_needs_backfill" AND NEW."_cutover_new_vendor_id" IS NOT DISTINCT FROM OLD."_cutover_new_vendor_id") THEN
    NEW."_cutover_new_vendor_id" := vendor_id::integer;
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "_cutover_products_vendor_id_up" BEFORE INSERT OR UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public._cutover_products_vendor_id_up();

-- no table lock
CREATE OR REPLACE FUNCTION public._cutover_products_vendor_id_down() RETURNS trigger
LANGUAGE plpgsql AS $cutover$
DECLARE
  _cutover_session_schema text := btrim(split_part(current_setting('search_path'), ',', 1), ' "');
  "id" public.products."id"%TYPE := NEW."id";
  "price" public.products."price"%TYPE := NEW."price";
  "sku" public.products."sku"%TYPE := NEW."sku";
  "supplier_id" public.products."_cutover_new_vendor_id"%TYPE := NEW."_cutover_new_vendor_id";
BEGIN
  IF (CASE WHEN left(_cutover_session_schema, 7) = 'public_' AND substr(_cutover_session_schema, 8) ~ '^[0-9]+$' THEN substr(_cutover_session_schema, 8)::numeric >= 20261201120000 ELSE false END) AND NOT coalesce((TG_OP = 'UPDATE' AND OLD."_cutover_needs_backfill" AND NEW."_cutover_new_vendor_id" IS NOT DISTINCT FROM OLD."_cutover_new_vendor_id"), false) THEN
    NEW."vendor_id" := supplier_id::bigint;
  END IF;
  RETURN NEW;
END
$cutover$;

-- lock: SHARE ROW EXCLUSIVE on public.products
CREATE OR REPLACE TRIGGER "_cutover_products_vendor_id_down" BEFORE INSERT OR UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public._cutover_products_vendor_id_down();

-- lock: SHARE ROW EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "_cutover_140e8b5e_products_vendor_fk" FOREIGN KEY ("_cutover_new_vendor_id") REFERENCES public.vendors(id) ON DELETE CASCADE NOT VALID;

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

-- lock: ACCESS SHARE on public.vendors
CREATE OR REPLACE VIEW "public_20261201120000"."vendors" WITH (security_invoker = true) AS SELECT "id" FROM public.vendors;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price", "sku", "_cutover_new_vendor_id" AS "supplier_id" FROM public.products;

-- backfill public.products (_cutover_new_vendor_id): batched no-op updates of the rows WHERE _cutover_needs_backfill fire the dual-write triggers

-- ==== complete (contract) ====

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_vendor_id_up" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_vendor_id_up();

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_vendor_id_down" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_vendor_id_down();

-- lock: SHARE UPDATE EXCLUSIVE on public.products
ALTER TABLE public.products VALIDATE CONSTRAINT "_cutover_140e8b5e_products_vendor_fk";

-- lock: ACCESS EXCLUSIVE on public.products
DO $cutover$ BEGIN
  ALTER TABLE public.products DROP COLUMN IF EXISTS "vendor_id";
  ALTER TABLE public.products RENAME COLUMN "_cutover_new_vendor_id" TO "supplier_id";
  ALTER TABLE public.products RENAME CONSTRAINT "_cutover_140e8b5e_products_vendor_fk" TO "products_vendor_fk";
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
DROP TRIGGER IF EXISTS "_cutover_products_vendor_id_up" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_vendor_id_up();

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_vendor_id_down" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_vendor_id_down();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "_cutover_140e8b5e_products_vendor_fk";

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP COLUMN IF EXISTS "_cutover_new_vendor_id";

-- lock: ACCESS EXCLUSIVE on public.products
DROP TRIGGER IF EXISTS "_cutover_products_backfilled" ON public.products;

-- no table lock
DROP FUNCTION IF EXISTS public._cutover_products_backfilled();

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP COLUMN IF EXISTS "_cutover_needs_backfill";
