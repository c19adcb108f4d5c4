extension PostgresDialect {
    /// `pg_advisory_xact_lock` on a key of its own (not the run lock's).
    public var setupLockStatement: String? { "SELECT pg_catalog.pg_advisory_xact_lock(\(Self.setupLockKey))" }

    /// The advisory-lock key of ``setupLockStatement``.
    public static let setupLockKey: Int64 = 0x542f_e1c7_5e70_0001

    /// `SELECT pg_catalog.pg_notify('cutover_schema', '<id>:<event>')`.
    public func schemaChangeNotice(_ id: MigrationID, event: String) -> String? {
        "SELECT pg_catalog.pg_notify('\(SchemaChangeNotice.channel)', \(literal(.text(SchemaChangeNotice.payload(id, event: event)))))"
    }

    /// The channel `NOTIFY` is sent on when a switch changes; the payload is its name.
    public static let flagsChannel = "cutover_flags"

    /// `cutover.flags`, with a trigger that refuses to enable a switch before the migration it
    /// requires is applied (a `.sql` one in `cutover.history`, a `.yaml` one expanded or
    /// completed in `cutover.expand_contract`) and one that notifies ``flagsChannel``.
    public var flags: FlagsSQL {
        FlagsSQL(
            table: "cutover.flags",
            create: [
                "CREATE SCHEMA IF NOT EXISTS cutover",
                """
                CREATE TABLE IF NOT EXISTS cutover.flags (
                    name text PRIMARY KEY CHECK (name <> ''),
                    enabled boolean NOT NULL DEFAULT false,
                    requires text,
                    percent integer CHECK (percent BETWEEN 0 AND 100),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text NOT NULL DEFAULT current_user
                )
                """,
                """
                CREATE OR REPLACE FUNCTION cutover.flags_require_migration() RETURNS trigger LANGUAGE plpgsql AS $cutover$
                BEGIN
                  IF NEW.enabled AND NEW.requires IS NOT NULL THEN
                    IF pg_catalog.to_regclass('cutover.history') IS NOT NULL THEN
                      IF EXISTS (SELECT 1 FROM cutover.history WHERE id = NEW.requires AND phase = 'applied') THEN
                        RETURN NEW;
                      END IF;
                    END IF;
                    IF pg_catalog.to_regclass('cutover.expand_contract') IS NOT NULL THEN
                      IF EXISTS (SELECT 1 FROM cutover.expand_contract WHERE id = NEW.requires AND phase IN ('expanded', 'revertible', 'completed')) THEN
                        RETURN NEW;
                      END IF;
                    END IF;
                    RAISE EXCEPTION 'the switch "%" requires migration %, which is not applied to this database', NEW.name, NEW.requires
                      USING ERRCODE = 'check_violation',
                            HINT = 'apply the migration first (cutover migrate, or cutover start for a .yaml one), then turn the switch on';
                  END IF;
                  RETURN NEW;
                END
                $cutover$
                """,
                """
                CREATE OR REPLACE FUNCTION cutover.flags_notify() RETURNS trigger LANGUAGE plpgsql AS $cutover$
                BEGIN
                  PERFORM pg_catalog.pg_notify('\(Self.flagsChannel)', COALESCE(NEW.name, OLD.name));
                  RETURN NULL;
                END
                $cutover$
                """,
                "DROP TRIGGER IF EXISTS flags_require_migration ON cutover.flags",
                "CREATE TRIGGER flags_require_migration BEFORE INSERT OR UPDATE ON cutover.flags FOR EACH ROW EXECUTE FUNCTION cutover.flags_require_migration()",
                "DROP TRIGGER IF EXISTS flags_notify ON cutover.flags",
                "CREATE TRIGGER flags_notify AFTER INSERT OR UPDATE OR DELETE ON cutover.flags FOR EACH ROW EXECUTE FUNCTION cutover.flags_notify()",
            ],
            now: "now()",
            updatedAtText: "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
    }
}

extension PostgresDialect {
    public func rowFingerprint(_ columns: [String]) -> String {
        "md5(ROW(\(columns.joined(separator: ", ")))::text)"
    }
}

extension PostgresDialect {
    /// Whether the session may set `deadlock_timeout` (a superuser setting): PostgreSQL 15
    /// and later ask `has_parameter_privilege` (true for superusers and for roles granted `SET
    /// ON PARAMETER deadlock_timeout`); earlier versions, whether the role is a superuser.
    public func autovacuumYieldPrivilegeQuery(serverVersion: Int?) -> String? {
        (serverVersion ?? 0) >= 150_000
            ? "SELECT pg_catalog.has_parameter_privilege('deadlock_timeout', 'SET') AS allowed"
            : "SELECT rolsuper AS allowed FROM pg_catalog.pg_roles WHERE rolname = current_user"
    }

    /// `deadlock_timeout` for this transaction: a lock wait checks for deadlocks after it, and
    /// that check is what cancels an autovacuum worker holding up the wait (not one that
    /// prevents wraparound; https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM).
    public func autovacuumYieldStatement(after wait: Duration) -> String? {
        "SELECT pg_catalog.set_config('deadlock_timeout', '\(max(wait.milliseconds, 1))ms', true)"
    }

    /// `max_parallel_maintenance_workers` for the session: by default `CREATE INDEX
    /// CONCURRENTLY` starts up to two parallel workers besides its own process, which on a
    /// small server takes every core from the application while the table is scanned and sorted
    /// (https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-MAX-PARALLEL-MAINTENANCE-WORKERS).
    public func indexBuildWorkersStatement(_ workers: Int) -> String? {
        "SELECT pg_catalog.set_config('max_parallel_maintenance_workers', '\(max(workers, 0))', false)"
    }
}
