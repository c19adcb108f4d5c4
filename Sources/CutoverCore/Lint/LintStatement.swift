/// The shape of one statement, as far as the lint rules care: which DDL it is, on which
/// table, with which options. Built by ``LintRecognizer``; anything it does not recognise
/// is ``other``, which no rule reports.
enum LintStatement: Sendable {
    case createTable(CreateTable)
    case createIndex(CreateIndex)
    case dropIndex(DropIndex)
    case dropTable([LintTableName])
    case alterTable(AlterTable)
    /// `TRUNCATE` and `LOCK TABLE`: an explicit lock on existing tables.
    case lockTables([LintTableName], LintLockMode)
    /// `REINDEX TABLE|INDEX name` without CONCURRENTLY: SHARE on the table
    /// (https://www.postgresql.org/docs/current/sql-reindex.html).
    case reindex(table: LintTableName?, index: LintTableName?)
    /// `SET [LOCAL] name …`, `RESET name`, `SELECT set_config('name', 'value', is_local)`.
    case setting(Setting)
    case other

    struct CreateTable: Sendable {
        var name: LintTableName
        var columns: [ColumnDefinition]
        /// Tables named by `REFERENCES` in the definition: PostgreSQL takes SHARE ROW
        /// EXCLUSIVE on each to add the foreign key trigger.
        var referencedTables: [LintTableName]
    }

    struct CreateIndex: Sendable {
        var name: LintTableName?
        var table: LintTableName
        var isUnique: Bool
        var isConcurrent: Bool
        /// `ON ONLY parent`: an invalid index on a partitioned table's parent alone, which is
        /// a catalog change; CONCURRENTLY is not possible there.
        var isOnlyParent: Bool
    }

    struct DropIndex: Sendable {
        var names: [LintTableName]
        var isConcurrent: Bool
    }

    struct AlterTable: Sendable {
        var table: LintTableName
        var actions: [Action]
    }

    /// One action of `ALTER TABLE t action, action, …`
    /// (https://www.postgresql.org/docs/current/sql-altertable.html).
    enum Action: Sendable {
        case addColumn(ColumnDefinition)
        case dropColumn(String)
        case alterColumnType(column: String, type: LintTypeName, hasUsing: Bool)
        case setNotNull(column: String)
        case addConstraint(TableConstraint)
        case validateConstraint(String)
        case dropConstraint(String)
        case renameColumn(from: String, to: String)
        case renameTable(to: LintTableName)
        /// Anything else, with the lock it takes.
        case other(keyword: String, lock: LintLockMode)
    }

    struct ColumnDefinition: Sendable {
        var name: String
        var type: LintTypeName?
        /// The tokens of `DEFAULT expr`; nil without a default.
        var defaultExpression: [LintToken]?
        var isNotNull = false
        var isUnique = false
        var isPrimaryKey = false
        var references: LintTableName?
        var hasCheck = false
        /// `GENERATED … AS IDENTITY`.
        var isIdentity = false
        /// `GENERATED ALWAYS AS (expr) STORED`.
        var isStoredGenerated = false
        /// `GENERATED ALWAYS AS (expr)` without STORED (PostgreSQL 18 virtual, SQLite VIRTUAL).
        var isVirtualGenerated = false
    }

    struct TableConstraint: Sendable {
        enum Kind: Sendable, Equatable {
            /// `CHECK (…)`; `notNullColumn` when the expression is exactly `col IS NOT NULL`.
            case check(notNullColumn: String?)
            case unique(usingIndex: Bool)
            case primaryKey(usingIndex: Bool)
            case foreignKey(references: LintTableName?)
            case exclude
        }

        var name: String?
        var kind: Kind
        var isNotValid: Bool
    }

    struct Setting: Sendable {
        /// Lower-cased parameter name (`lock_timeout`, `timezone`).
        var name: String
        /// The value as written, nil for `RESET` and `DEFAULT`.
        var value: String?
        var isLocal: Bool
    }
}

/// A possibly schema-qualified table or index name. An unqualified name and one qualified
/// with the default schema (`public`, SQLite's `main`) are the same name.
struct LintTableName: Hashable, Sendable, CustomStringConvertible {
    var schema: String?
    var name: String

    init(schema: String?, name: String) {
        self.schema = schema == "public" || schema == "main" ? nil : schema
        self.name = name
    }

    /// The name as SQL (``SQLText/qualified(_:_:)``): `users`, `app."Users"`, `"x'y;z"`;
    /// messages and suggested statements show it so that it can be copied back.
    var description: String { SQLText.qualified(schema, name) }
}
