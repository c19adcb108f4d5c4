/// One step of an expand/contract phase, as the engine will run it: a SQL statement with the
/// lock it takes and whether it may share a transaction, or a marker for work done outside SQL
/// text (the batched backfill).
///
/// Operations only describe work; the engine runs it. That gives `cutover plan`, dry runs and
/// golden-SQL tests without a database (pgroll's operations return actions the same way).
///
/// ```swift
/// let action = PlannedAction.statement("DROP INDEX CONCURRENTLY IF EXISTS users_email_idx",
///                                      lock: .shareUpdateExclusive, table: "public.users",
///                                      runsInTransaction: false)
/// ```
public struct PlannedAction: Sendable, Hashable, Codable {
    /// What the engine does with the action.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Run ``PlannedAction/sql``.
        case statement
        /// Fill the given columns of ``PlannedAction/table`` in keyset batches through the
        /// dual-write triggers (a no-op update of each row). ``PlannedAction/sql`` is a comment
        /// describing it; the backfill itself is not built yet.
        case backfill
    }

    /// Statement or backfill marker.
    public var kind: Kind
    /// The statement (without a trailing semicolon), or for a backfill a `--` comment saying what it fills.
    public var sql: String
    /// The strongest table lock the statement takes.
    public var lock: TableLock
    /// The table the lock is on (`public.users`), nil when the statement locks no table.
    public var table: String?
    /// False for statements PostgreSQL refuses inside a transaction block (`CREATE INDEX
    /// CONCURRENTLY`, `DROP INDEX CONCURRENTLY`): the engine runs them alone, in autocommit.
    public var runsInTransaction: Bool
    /// The columns a backfill fills (physical names); empty for statements.
    public var backfillColumns: [String]
    /// The physical (unqualified) table a backfill fills; nil for statements.
    public var backfillTable: String?
    /// The flag column of the rows a backfill has still to touch (``ShadowNames`` `needsBackfill`);
    /// nil for statements, and in plans stored before each migration had its own flag, whose
    /// flag is `_cutover_needs_backfill`.
    public var backfillFlag: String?

    /// The flag column a backfill touches: ``backfillFlag``, or the one plans stored before it
    /// existed used.
    public var flagColumn: String { backfillFlag ?? ShadowNames.legacyNeedsBackfill }

    /// Creates a statement action.
    /// - Parameters:
    ///   - sql: the statement, without a trailing semicolon.
    ///   - lock: the strongest table lock it takes.
    ///   - table: the table locked, qualified, or nil.
    ///   - runsInTransaction: false when PostgreSQL requires it to run alone.
    /// - Returns: the action.
    public static func statement(_ sql: String, lock: TableLock, table: String?, runsInTransaction: Bool = true) -> PlannedAction {
        PlannedAction(kind: .statement, sql: sql, lock: lock, table: table, runsInTransaction: runsInTransaction, backfillColumns: [], backfillTable: nil,
            backfillFlag: nil)
    }

    /// Creates a backfill marker: the rows of `table` that exist when the expand phase ends
    /// must be touched so that the dual-write triggers fill `columns`.
    /// - Parameters:
    ///   - table: the physical table.
    ///   - columns: the physical columns the triggers fill.
    ///   - context: the schema.
    /// - Returns: the marker.
    public static func backfill(table physicalTable: String, columns: [String], context: OperationContext) -> PlannedAction {
        let list = columns.joined(separator: ", ")
        let table = context.qualified(physicalTable)
        let flag = ShadowNames.needsBackfill(context)
        return PlannedAction(
            kind: .backfill, sql: "-- backfill \(table) (\(list)): batched no-op updates of the rows WHERE \(flag) fire the dual-write triggers",
            lock: .rowExclusive, table: table, runsInTransaction: true, backfillColumns: columns,
            backfillTable: physicalTable, backfillFlag: flag)
    }
}

/// A PostgreSQL table-level lock mode, as the documentation's "Explicit Locking" chapter names
/// them. An open set of static members, as CutoverCore's other codes.
public struct TableLock: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The mode's name as PostgreSQL spells it (`ACCESS EXCLUSIVE`), or `none`/`unknown`.
    public let rawValue: String
    /// Creates a lock mode from its name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No table lock (`CREATE SCHEMA`, `CREATE FUNCTION`).
    public static let none = TableLock(rawValue: "none")
    /// `ACCESS SHARE`: reads.
    public static let accessShare = TableLock(rawValue: "ACCESS SHARE")
    /// `ROW EXCLUSIVE`: writes (the backfill's updates).
    public static let rowExclusive = TableLock(rawValue: "ROW EXCLUSIVE")
    /// `SHARE UPDATE EXCLUSIVE`: `VALIDATE CONSTRAINT`, `CREATE/DROP INDEX CONCURRENTLY`; reads and writes go on.
    public static let shareUpdateExclusive = TableLock(rawValue: "SHARE UPDATE EXCLUSIVE")
    /// `SHARE ROW EXCLUSIVE`: `CREATE TRIGGER`; blocks writes for its short duration.
    public static let shareRowExclusive = TableLock(rawValue: "SHARE ROW EXCLUSIVE")
    /// `ACCESS EXCLUSIVE`: most `ALTER TABLE` forms; blocks everything, so run alone under `lock_timeout`.
    public static let accessExclusive = TableLock(rawValue: "ACCESS EXCLUSIVE")
    /// User SQL (the `sql` operation): Cutover cannot tell.
    public static let unknown = TableLock(rawValue: "unknown")

    /// The name.
    public var description: String { rawValue }
}
