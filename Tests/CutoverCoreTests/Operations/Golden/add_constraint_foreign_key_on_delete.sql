-- ==== start (expand) ====

-- lock: SHARE ROW EXCLUSIVE on public.products
ALTER TABLE public.products ADD CONSTRAINT "products_vendor_restrict" FOREIGN KEY ("vendor_id") REFERENCES public.vendors ("id") ON DELETE RESTRICT NOT VALID;

-- no table lock
CREATE SCHEMA IF NOT EXISTS "public_20261201120000";

-- lock: ACCESS SHARE on public.vendors
CREATE OR REPLACE VIEW "public_20261201120000"."vendors" WITH (security_invoker = true) AS SELECT "id" FROM public.vendors;

-- lock: ACCESS SHARE on public.products
CREATE OR REPLACE VIEW "public_20261201120000"."products" WITH (security_invoker = true) AS SELECT "id", "price", "sku", "vendor_id" FROM public.products;

-- ==== complete (contract) ====

-- lock: SHARE UPDATE EXCLUSIVE on public.products
ALTER TABLE public.products VALIDATE CONSTRAINT "products_vendor_restrict";

-- ==== abort ====

-- no table lock
DROP SCHEMA IF EXISTS "public_20261201120000" CASCADE;

-- no table lock
DROP SCHEMA IF EXISTS "_cutover_public_20261201120000" CASCADE;

-- lock: ACCESS EXCLUSIVE on public.products
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS "products_vendor_restrict";
