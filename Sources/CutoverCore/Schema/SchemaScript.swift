import Foundation

/// DDL that turns one schema into another, statement by statement, rendered for one
/// dialect by ``SchemaDiff/script(for:configuration:)``.
///
/// Statements are ordered so that dependencies hold: schemas, extensions, types and
/// sequences before the tables that use them, tables before their indexes and foreign
/// keys, views after their tables; drops run the other way round. A statement that loses
/// data says so in a `-- WARNING: drops data` comment. Changes the dialect cannot express
/// are listed in ``unsupported`` and appear in ``text`` as `-- UNSUPPORTED:` comments;
/// they are never rendered as SQL that would do something else.
///
/// ```swift
/// let script = try SchemaDiff(from: live, to: wanted).script(for: database.dialect)
/// for statement in script.statements { try await database.execute(statement.sql) }
/// if !script.isComplete { print(script.unsupported.map(\.reason)) }
/// ```
///
/// ## Topics
/// ### Contents
/// - ``statements``
/// - ``unsupported``
/// - ``isComplete``
/// - ``text``
/// ### Types
/// - ``Statement``
/// - ``UnsupportedChange``
/// - ``Configuration``
public struct SchemaScript: Sendable, Equatable, Codable {
    /// The dialect the statements are written for (``Dialect/name``).
    public var dialect: String
    /// The statements, in the order they must run.
    public var statements: [Statement]
    /// Changes that have no statement because the dialect cannot make them as asked.
    public var unsupported: [UnsupportedChange]

    /// Creates a script.
    public init(dialect: String, statements: [Statement] = [], unsupported: [UnsupportedChange] = []) {
        self.dialect = dialect
        self.statements = statements
        self.unsupported = unsupported
    }

    /// Whether every change is covered by a statement.
    public var isComplete: Bool { unsupported.isEmpty }

    /// Whether any statement drops data.
    public var dropsData: Bool { statements.contains { $0.dropsData } }

    /// The statements split into the transactions they must run in: a new group starts
    /// after each statement that ``Statement/needsCommitAfter``.
    ///
    /// ```swift
    /// for group in script.transactions {
    ///     try await database.execute("BEGIN")
    ///     for statement in group { try await database.execute(statement.sql) }
    ///     try await database.execute("COMMIT")
    /// }
    /// ```
    /// A statement that ``Statement/runsOutsideTransaction`` is a group of its own, to be run
    /// without `BEGIN`.
    public var transactions: [[Statement]] {
        var groups: [[Statement]] = [[]]
        for statement in statements {
            if statement.runsOutsideTransaction && !groups[groups.count - 1].isEmpty { groups.append([]) }
            groups[groups.count - 1].append(statement)
            if statement.needsCommitAfter || statement.runsOutsideTransaction { groups.append([]) }
        }
        return groups.filter { !$0.isEmpty }
    }

    /// One statement and the comments printed above it.
    public struct Statement: Sendable, Equatable, Codable {
        /// The SQL, without a trailing `;`.
        public var sql: String
        /// Comment lines printed above the statement, without `-- `.
        public var comments: [String]
        /// Whether running it loses data (a dropped table or column, a table rebuilt without
        /// some of its columns).
        public var dropsData: Bool
        /// The change it implements (`column public.users.email`), when it implements one.
        public var change: String?
        /// Whether its effect must be committed before the statements after it run
        /// (PostgreSQL lets no transaction use an enum label that the same transaction added).
        /// Run the script as more than one transaction, split after such statements.
        public var needsCommitAfter: Bool
        /// Whether it cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`,
        /// written for a live database: ``Configuration/forLiveDatabase``).
        public var runsOutsideTransaction: Bool

        /// Creates a statement.
        public init(
            _ sql: String, comments: [String] = [], dropsData: Bool = false, change: String? = nil, needsCommitAfter: Bool = false,
            runsOutsideTransaction: Bool = false
        ) {
            self.sql = sql
            self.comments = comments
            self.dropsData = dropsData
            self.change = change
            self.needsCommitAfter = needsCommitAfter
            self.runsOutsideTransaction = runsOutsideTransaction
        }
    }

    /// A change the renderer cannot express, and why.
    public struct UnsupportedChange: Sendable, Equatable, Codable {
        /// The change (`enum_type public.mood`).
        public var change: String
        /// Why it is not rendered and what to do instead.
        public var reason: String

        /// Creates an entry.
        public init(change: String, reason: String) {
            self.change = change
            self.reason = reason
        }
    }

    /// How a script is rendered.
    ///
    /// ```swift
    /// var configuration = SchemaScript.Configuration()
    /// configuration.annotate = { statement in
    ///     statement.sql.hasPrefix("CREATE INDEX") ? ["lint: use CREATE INDEX CONCURRENTLY on a live table"] : []
    /// }
    /// let script = try diff.script(for: PostgresDialect(), configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// Extra comment lines for each statement (lint findings, for example), printed above
        /// it after the renderer's own comments. Nil adds nothing.
        public var annotate: (@Sendable (Statement) -> [String])?
        /// Write the forms that are safe on a database in use, where the dialect has them
        /// (PostgreSQL: `SET lock_timeout` first, `CREATE INDEX CONCURRENTLY` and
        /// `DROP INDEX CONCURRENTLY` on existing tables, each outside a transaction, and
        /// foreign keys and checks added `NOT VALID` then validated in a transaction of
        /// their own), as `cutover diff --sql` prints them. The script is then meant to run
        /// statement by statement (psql's default, not `--single-transaction`).
        public var forLiveDatabase: Bool

        /// Creates a configuration.
        public init(annotate: (@Sendable (Statement) -> [String])? = nil, forLiveDatabase: Bool = false) {
            self.annotate = annotate
            self.forLiveDatabase = forLiveDatabase
        }
    }

    /// The script as text: each statement with its comments above and a `;` after,
    /// separated by blank lines, then the unsupported changes as `-- UNSUPPORTED:` lines.
    public var text: String {
        var blocks: [String] = []
        for statement in statements {
            // Comments name objects; a name may hold CR, LF or `*/` (SQLText.comment).
            var lines = statement.comments.flatMap(SQLText.lineComments)
            var sql = statement.sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while sql.hasSuffix(";") { sql.removeLast() }
            lines.append(sql + ";")
            blocks.append(lines.joined(separator: "\n"))
        }
        for entry in unsupported {
            blocks.append(SQLText.lineComments("UNSUPPORTED: \(entry.change): \(entry.reason)").joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n") + (blocks.isEmpty ? "" : "\n")
    }
}

/// Renders the DDL of a ``SchemaDiff`` for one dialect.
public protocol SchemaScriptRenderer: Sendable {
    /// The dialect this renderer writes (``Dialect/name``).
    var dialect: String { get }
    /// The statements that turn `diff.source` into `diff.target`, in dependency order.
    /// - Parameter diff: a diff of two schemas of this renderer's dialect.
    /// - Returns: the script, with unsupported changes listed instead of rendered.
    func render(_ diff: SchemaDiff) -> SchemaScript
    /// The statements, in their safe forms for a live database when `forLiveDatabase`
    /// (``SchemaScript/Configuration/forLiveDatabase``); by default the same as
    /// ``render(_:)``.
    func render(_ diff: SchemaDiff, forLiveDatabase: Bool) -> SchemaScript
}

extension SchemaScriptRenderer {
    /// No safe forms of its own: the plain script.
    public func render(_ diff: SchemaDiff, forLiveDatabase: Bool) -> SchemaScript { render(diff) }
}

extension SchemaDiff {
    /// The DDL that turns ``source`` into ``target``, written by `dialect`'s
    /// ``Dialect/schemaRenderer``.
    ///
    /// ```swift
    /// let script = try SchemaDiff(from: production, to: staging).script(for: database.dialect)
    /// print(script.text)
    /// ```
    ///
    /// - Parameters:
    ///   - dialect: the dialect of both schemas (``Schema/dialect`` names it).
    ///   - configuration: extra comments per statement (lint findings).
    /// - Returns: the script; check ``SchemaScript/isComplete``.
    /// - Throws: ``CutoverError`` `.renderingUnsupported` when the schemas are not of
    ///   `dialect`'s kind, so its renderer cannot write them.
    /// - Warning: statements marked ``SchemaScript/Statement/dropsData`` lose data when run.
    public func script(for dialect: any Dialect, configuration: SchemaScript.Configuration = .init()) throws -> SchemaScript {
        let renderer = dialect.schemaRenderer
        guard renderer.dialect == source.dialect, renderer.dialect == target.dialect else {
            throw CutoverError(
                .renderingUnsupported, "cannot write DDL for \(source.dialect) schemas with the \(renderer.dialect) renderer",
                hint: "pass the dialect of the database the schemas were read from; compare without --sql")
        }
        var script = renderer.render(self, forLiveDatabase: configuration.forLiveDatabase)
        if let annotate = configuration.annotate {
            for index in script.statements.indices {
                script.statements[index].comments += annotate(script.statements[index])
            }
        }
        return script
    }
}

extension CutoverError.Code {
    /// The schemas are of another dialect than the renderer asked to write their DDL.
    public static let renderingUnsupported = Self("rendering_unsupported", exitCode: 2)
}
