import Foundation

/// How SQL is written for one database: placeholders, quoting, transactions, timeouts and
/// the DDL of Cutover's own tables. The engine asks the dialect instead of branching on
/// the database kind.
public protocol Dialect: Sendable {
    /// A short name: `postgresql`, `sqlite`.
    var name: String { get }
    /// The database's lexical rules, for everything that reads its SQL (the linter, schema
    /// comparison, the statement checks below) through ``SQLLexer``.
    var lexerConfiguration: SQLLexer.Configuration { get }
    /// The bind placeholder for the 1-based parameter `index` (`$1`, `?1`).
    func placeholder(_ index: Int) -> String
    /// Quotes an identifier, doubling embedded quotes.
    func quoteIdentifier(_ identifier: String) -> String
    /// The qualified name of the history table (`cutover.history`, `cutover_history`).
    var historyTable: String { get }
    /// Statements that create Cutover's tables when missing; safe to run on every start.
    var createHistoryTable: [String] { get }
    /// A query returning one row when the history table exists.
    var historyTableExists: String { get }
    /// The statement that opens a write transaction (`BEGIN`, `BEGIN IMMEDIATE`).
    var beginTransaction: String { get }
    /// Statements that apply the safety timeouts inside the current transaction
    /// (`SET LOCAL lock_timeout`), or for the session when `local` is false.
    func timeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?, local: Bool) -> [String]
    /// Statements that apply the safety timeouts to the whole session, run once when a run
    /// has its lock (and again after a migration that may have changed session settings),
    /// so each migration's transaction needs no `SET LOCAL` round trip; empty when the
    /// database has no such settings.
    func sessionTimeoutStatements(lockTimeout: Duration?, statementTimeout: Duration?) -> [String]
    /// Whether a statement may change a session setting (`SET`, `RESET`, `set_config`), so
    /// the session timeouts must be applied again after it commits.
    func mayChangeSessionSettings(_ sql: String) -> Bool
    /// One statement that runs `statements` in order, atomically, in a single round trip
    /// (PostgreSQL: an anonymous `DO` block that `EXECUTE`s each), or nil when the database
    /// has no such form. An error from it does not say which statement failed: the caller
    /// runs the statements one by one to find out.
    func atomicBatch(_ statements: [String]) -> String?
    /// SQL expressions for the times of a history row written as the last statement of an
    /// ``atomicBatch(_:)``: when the migration started (`startedAt` is the client's ISO-8601
    /// time, taken before the batch was sent), when it finished, and its duration in
    /// milliseconds — by the database's clock where the dialect can read it.
    func batchHistoryTimes(startedAt: String) -> (startedAt: String, finishedAt: String, durationMilliseconds: String)
    /// `value` written as a SQL literal (for statements that cannot take binds).
    func literal(_ value: SQLValue) -> String
    /// Whether the error is a lock timeout worth retrying (PostgreSQL 55P03, SQLite BUSY).
    func isLockTimeout(_ error: CutoverError) -> Bool
    /// Whether a statement cannot run inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, `VACUUM`, …).
    func cannotRunInTransaction(_ sql: String) -> Bool
    /// SQL expression that turns the ISO-8601 text bound at `placeholder` into the
    /// dialect's timestamp type.
    func timestamp(_ placeholder: String) -> String
    /// Whether DDL is transactional (a failed migration leaves no schema change behind).
    var hasTransactionalDDL: Bool { get }
    /// A query listing objects a failed non-transactional statement can leave behind, one
    /// `name` column per row; nil when the database has none.
    var leftoverObjectsQuery: String? { get }
    /// For a statement that runs outside a transaction and can leave a half-built index
    /// behind when interrupted (PostgreSQL's `CREATE INDEX CONCURRENTLY`), how to find and
    /// judge it before running the statement again; nil for every other statement.
    func interruptedIndexCheck(for sql: String) -> InterruptedIndexCheck?
    /// A query returning this session's server-side id in a column `id` (PostgreSQL:
    /// `pg_backend_pid()`); nil when another session cannot observe this one's locks.
    var sessionIDQuery: String? { get }
    /// A query, taking a session id as its one bind, listing the relation locks that session
    /// holds or waits for: columns `relation`, `mode`, `granted`; nil when unsupported.
    var heldLocksQuery: String? { get }
    /// A query listing the user relations that exist now, in a column `relation`, in the
    /// same naming as ``heldLocksQuery``; nil when unsupported.
    var relationsQuery: String? { get }
    /// Whether a write transaction keeps every other writer out of the whole database until
    /// it ends (SQLite: one write lock per file, taken by `BEGIN IMMEDIATE`), rather than
    /// locking the rows and tables it touches. False by default.
    var writeLocksWholeDatabase: Bool { get }
    /// A query listing every user table with its size on disk: columns `table_schema`,
    /// `table_name`, `bytes` (``LintTarget``, `[safety] small_table`); nil when the
    /// database has no cheap way to tell.
    var tableSizesQuery: String? { get }
    /// The qualified name of the table holding the latest verified schema state
    /// (`cutover.schema_check`, `cutover_schema_check`): one row with `applied_digest`,
    /// `fingerprint` and `checked_at`. ``createHistoryTable`` creates it too.
    var schemaCheckTable: String { get }
    /// Statements that create ``schemaCheckTable`` when missing (also part of
    /// ``createHistoryTable``, repeated here for databases whose history predates it).
    var createSchemaCheckTable: [String] { get }
    /// One query, one row, one text column `fingerprint`: a canonical text (or a server-side
    /// hash of one) of the user schema, covering at least everything schema introspection
    /// reads and the schema diff compares, and leaving out what introspection leaves out
    /// (system objects, extension members, Cutover's own tables). Equal fingerprints mean an
    /// unchanged schema; nil when the dialect has none (every drift check then replays).
    var schemaFingerprintQuery: String? { get }
    /// Writes the DDL that turns one schema of this database into another
    /// (``SchemaDiff/script(for:configuration:)``). Each engine supplies its own, so adding
    /// an engine needs no list of renderers in CutoverCore.
    var schemaRenderer: any SchemaScriptRenderer { get }
    /// Record history (`cutover versioning`): the `record_versions` table, the triggers that
    /// fill it, and the statements that write an old version back.
    var recordVersions: RecordVersionsSQL { get }
    /// The run-time switches table: its DDL (with the trigger that enforces `requires`) and
    /// the expressions reading and writing its times.
    var flags: FlagsSQL { get }
    /// An expression over `columns` (quoted names) whose value changes whenever one of them
    /// does: the compare-and-set of lazy row upgrades (PostgreSQL `md5(ROW(…)::text)`, SQLite
    /// `quote(…)` joined).
    func rowFingerprint(_ columns: [String]) -> String
    /// A statement that tells listening sessions that migration `id` reached `event` (a
    /// history phase such as `applied` or `rolled_back`, or an expand/contract phase such as
    /// `expanded` or `completed`), run in the transaction that records it so it is sent at
    /// commit and never for work rolled back: PostgreSQL's `pg_notify` on
    /// ``SchemaChangeNotice/channel``. nil when the database has no notifications (SQLite,
    /// whose readers poll the history instead).
    func schemaChangeNotice(_ id: MigrationID, event: String) -> String?
    /// A statement that, run first in a transaction, makes concurrent transactions creating
    /// Cutover's own objects (the flags and record-versions tables, their functions and
    /// triggers) wait for one another: on PostgreSQL `CREATE … IF NOT EXISTS` and `CREATE OR
    /// REPLACE FUNCTION` race in the catalog otherwise ("tuple concurrently updated", a
    /// duplicate key in `pg_type`). A transaction-scoped advisory lock, distinct from the run
    /// lock, so a long migration does not hold it up. nil where write transactions serialise
    /// already (SQLite's `BEGIN IMMEDIATE`). See ``Database/withSetupTransaction(_:)``.
    var setupLockStatement: String? { get }
    /// A query returning one row whose boolean column `allowed` says whether this session may
    /// run ``autovacuumYieldStatement(after:)``; nil when the database has no autovacuum.
    /// - Parameter serverVersion: the server's version number, when known.
    func autovacuumYieldPrivilegeQuery(serverVersion: Int?) -> String?
    /// A statement that, run in a transaction before a strong-lock statement, makes a lock
    /// wait behind an autovacuum of the table cancel that autovacuum after `wait` instead of
    /// after `deadlock_timeout` (PostgreSQL: 1 s by default, while every query on the table
    /// queues behind the waiting statement). nil when the database has no autovacuum.
    func autovacuumYieldStatement(after wait: Duration) -> String?
    /// A statement that lets this session's index builds start at most `workers` parallel
    /// workers besides their own process (PostgreSQL: `max_parallel_maintenance_workers`; 0:
    /// an online build takes one core and leaves the others to the application); nil when the
    /// database builds indexes one way only.
    func indexBuildWorkersStatement(_ workers: Int) -> String?
}

/// The schema-change notifications ``Dialect/schemaChangeNotice(_:event:)`` sends.
public enum SchemaChangeNotice {
    /// The channel: `cutover_schema`.
    public static let channel = "cutover_schema"

    /// The payload for migration `id` and `event`: `<id>:<event>`.
    public static func payload(_ id: MigrationID, event: String) -> String { "\(id.normalized):\(event)" }

    /// The migration and event of a payload; nil for one that is not `<id>:<event>`.
    public static func parse(_ payload: String) -> (id: MigrationID, event: String)? {
        guard let colon = payload.firstIndex(of: ":"), let id = MigrationID(payload[..<colon]) else { return nil }
        let event = String(payload[payload.index(after: colon)...])
        return event.isEmpty ? nil : (id, event)
    }
}

extension Dialect {
    /// Double-quote quoting, as both PostgreSQL and SQLite use (``SQLText/quotedIdentifier(_:)``).
    public func quoteIdentifier(_ identifier: String) -> String {
        SQLText.quotedIdentifier(identifier)
    }
}

extension Dialect {
    /// No setup lock by default.
    public var setupLockStatement: String? { nil }

    /// No autovacuum by default.
    public func autovacuumYieldPrivilegeQuery(serverVersion: Int?) -> String? { nil }

    /// No autovacuum by default.
    public func autovacuumYieldStatement(after wait: Duration) -> String? { nil }

    /// No parallel index builds by default.
    public func indexBuildWorkersStatement(_ workers: Int) -> String? { nil }

    /// No notifications by default.
    public func schemaChangeNotice(_ id: MigrationID, event: String) -> String? { nil }

    /// No single-round-trip batches by default.
    public func atomicBatch(_ statements: [String]) -> String? { nil }

    /// The client's start time for both times and a duration of zero: for dialects whose
    /// batches cannot read a clock.
    public func batchHistoryTimes(startedAt: String) -> (startedAt: String, finishedAt: String, durationMilliseconds: String) {
        (literal(.text(startedAt)), literal(.text(startedAt)), "0")
    }

    /// Standard SQL literals: integers and floats as written, text single-quoted with quotes
    /// doubled, booleans as TRUE/FALSE, NULL.
    public func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let number): String(number)
        case .double(let number): number.isFinite ? String(number) : "NULL"
        case .bool(let flag): flag ? "TRUE" : "FALSE"
        case .text(let text): SQLText.literal(text)
        }
    }

    /// No leftovers by default.
    public var leftoverObjectsQuery: String? { nil }
    /// No statements that leave half-built indexes by default.
    public func interruptedIndexCheck(for sql: String) -> InterruptedIndexCheck? { nil }
    /// No lock observation by default.
    public var sessionIDQuery: String? { nil }
    public var heldLocksQuery: String? { nil }
    public var relationsQuery: String? { nil }
    /// Row and table locks by default.
    public var writeLocksWholeDatabase: Bool { false }
    /// No table sizes by default (SQLite: its blocking lint rules are about statements that
    /// fail whatever a table holds, so sizes would change nothing).
    public var tableSizesQuery: String? { nil }
    /// No fingerprint by default: every drift check replays.
    public var schemaFingerprintQuery: String? { nil }
}
