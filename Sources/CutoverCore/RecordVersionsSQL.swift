/// The SQL of record history (`cutover versioning`) for one database, from
/// ``Dialect/recordVersions``.
///
/// `record_versions` (`cutover.record_versions`, `cutover_record_versions`) holds one row per
/// change of a versioned table's row: `table_name`, `record_key` (the primary key's values as
/// JSON text, `{"id": 7}`), `version` (1, 2, 3… per table and key), `operation` (`insert`,
/// `update`, `delete`), `row_data` (the row as JSON), `changed_at`, `transaction_id`
/// (PostgreSQL's `txid_current()`; NULL on SQLite) and `schema_version` (the newest migration
/// applied when the change was made). Triggers on the versioned table append the rows.
public struct RecordVersionsSQL: Sendable {
    /// A column of a versioned table, as ``columnsQuery`` reads it.
    public struct Column: Sendable, Hashable {
        /// The column's name.
        public var name: String
        /// Its position in the primary key (1-based), or 0.
        public var keyPosition: Int
        /// Whether it is `NOT NULL`.
        public var isNotNull: Bool
        /// Whether the database fills it when an `INSERT` leaves it out (a default, an identity).
        public var hasDefault: Bool
        /// Whether it is computed (a generated column): never written.
        public var isGenerated: Bool

        /// Creates a column.
        public init(name: String, keyPosition: Int, isNotNull: Bool, hasDefault: Bool, isGenerated: Bool = false) {
            self.name = name
            self.keyPosition = keyPosition
            self.isNotNull = isNotNull
            self.hasDefault = hasDefault
            self.isGenerated = isGenerated
        }
    }

    /// The qualified table name.
    public var table: String
    /// Statements that create the table when missing; safe to run again.
    public var create: [String]
    /// The columns of the table named (unquoted, as created) by the first bind: `name`, `key_position`, `not_null`,
    /// `has_default`, `is_generated` (integers 0/1), in column order; no rows for a missing table.
    public var columnsQuery: String
    /// An expression turning `changed_at` into ISO 8601 text.
    public var changedAtText: String
    /// Statements that install (or replace) the triggers recording `table`'s changes.
    public var enable: @Sendable (_ table: String, _ columns: [String], _ key: [String]) -> [String]
    /// Statements that remove the triggers of `table`; safe when there are none.
    public var disable: @Sendable (_ table: String) -> [String]
    /// The triggers' text as the database keeps it (`name`, `sql`), for the table named by the
    /// first bind: compared with ``expectedTriggerText`` to tell whether they still match it.
    public var triggerTextQuery: String
    /// What ``triggerTextQuery`` returns for triggers that match the table's columns and key
    /// now (SQLite: the whole trigger, which names every column; PostgreSQL: the call with
    /// the key columns, as `to_jsonb(NEW)` follows the others).
    public var expectedTriggerText: @Sendable (_ table: String, _ columns: [String], _ key: [String]) -> Set<String>
    /// An expression reading one field of `record_key` as text.
    public var keyField: @Sendable (_ column: String) -> String
    /// `SELECT 1` of `table`'s row whose key equals the key columns of the JSON bound first.
    public var selectRow: @Sendable (_ table: String, _ key: [String]) -> String
    /// `UPDATE` of `table`'s `columns` from the JSON object bound first, where the key matches.
    public var updateRow: @Sendable (_ table: String, _ columns: [String], _ key: [String]) -> String
    /// `INSERT` of `columns` from the JSON object bound first.
    public var insertRow: @Sendable (_ table: String, _ columns: [String]) -> String
    /// A condition true for a `changed_at` older than the number of seconds bound at `placeholder`.
    public var olderThan: @Sendable (_ placeholder: String) -> String

    /// Creates the SQL set.
    public init(
        table: String, create: [String], columnsQuery: String, changedAtText: String,
        enable: @escaping @Sendable (String, [String], [String]) -> [String], disable: @escaping @Sendable (String) -> [String],
        triggerTextQuery: String, expectedTriggerText: @escaping @Sendable (String, [String], [String]) -> Set<String>, keyField: @escaping @Sendable (String) -> String,
        selectRow: @escaping @Sendable (String, [String]) -> String, updateRow: @escaping @Sendable (String, [String], [String]) -> String,
        insertRow: @escaping @Sendable (String, [String]) -> String, olderThan: @escaping @Sendable (String) -> String
    ) {
        self.table = table
        self.create = create
        self.columnsQuery = columnsQuery
        self.changedAtText = changedAtText
        self.enable = enable
        self.disable = disable
        self.triggerTextQuery = triggerTextQuery
        self.expectedTriggerText = expectedTriggerText
        self.keyField = keyField
        self.selectRow = selectRow
        self.updateRow = updateRow
        self.insertRow = insertRow
        self.olderThan = olderThan
    }

    /// The newest applied migration in Cutover's history: ids are stored without leading
    /// zeros, so a longer id is a larger one.
    public static func newestApplied(history: String) -> String {
        "SELECT id FROM \(history) WHERE phase = 'applied' ORDER BY length(id) DESC, id DESC LIMIT 1"
    }
}
