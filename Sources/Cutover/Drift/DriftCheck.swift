import CutoverCore
import Logging

/// Compares a live database's schema with the schema its applied migrations produce
/// (``ExpectedSchema``): what `cutover diff --against migrations`, `cutover status`,
/// `cutover promote` and `cutover rehearse` report as drift.
///
/// Drift is anything changed by hand (an `ALTER TABLE` run in a console, an index added
/// during an incident) or by a tool other than Cutover. The migrations that count are the
/// ones the live database's history records as applied; pending files play no part.
///
/// ```swift
/// let check = try DriftCheck(driver: SQLiteDriver(), migrations: files)
/// let report = try await check.run(on: try DatabaseURL("sqlite:prod.sqlite3"))
/// if report.hasDrift { print(report.diff.text) }
/// ```
///
/// ## Topics
/// - ``init(driver:migrations:configuration:options:logger:)``
/// - ``run(on:)``
/// - ``run(on:url:)``
/// - ``DriftReport``
public struct DriftCheck: Sendable {
    /// Opens the live database and replays migrations.
    public let driver: any DatabaseDriver
    /// Which objects are compared (Cutover's own are always left out of both sides unless asked).
    public let options: IntrospectionOptions
    let expected: ExpectedSchema
    let logger: Logger

    /// Creates a check.
    ///
    /// - Parameters:
    ///   - driver: the driver for the live database's URL.
    ///   - migrations: the parsed migration files.
    ///   - configuration: timeouts for replaying the migrations.
    ///   - options: what to compare.
    ///   - logger: receives the statements run (debug).
    /// - Throws: ``CutoverError`` `.introspectionUnsupported` when the driver cannot make
    ///   scratch databases.
    public init(
        driver: any DatabaseDriver, migrations: [Migration], configuration: Migrator.Configuration = .init(),
        options: IntrospectionOptions = .init(), logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.driver = driver
        self.options = options
        self.expected = try ExpectedSchema(driver: driver, migrations: migrations, configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Opens the database at `url`, reads its history and schema, closes it, and compares
    /// the schema with the expected one.
    ///
    /// - Parameter url: the live database.
    /// - Returns: the comparison.
    /// - Throws: ``CutoverError``: connection errors, `.validationFailed` when an applied
    ///   migration has no file, `.migrationFailed` when the files fail on the scratch
    ///   database, `.invalidArgument` when the scratch database cannot be created.
    public func run(on url: DatabaseURL) async throws -> DriftReport {
        let database = try await driver.open(url, logger: logger)
        do {
            let report = try await run(on: database, url: url)
            await database.close()
            return report
        } catch {
            await database.close()
            throw error
        }
    }

    /// Compares an open session's schema with the schema of the migrations its history
    /// records as applied.
    ///
    /// - Parameters:
    ///   - database: a session on the live database; it is not closed.
    ///   - url: the same database's URL, whose server hosts the scratch database.
    /// - Returns: the comparison.
    /// - Throws: as ``run(on:)``.
    public func run(on database: any Database, url: DatabaseURL) async throws -> DriftReport {
        let history = try await HistoryStore(database: database).all()
        let live = try await database.introspectSchema(options: options)
        let applied = history.values.filter { $0.phase == .applied }.sorted { $0.id < $1.id }
        let files = Dictionary(expected.migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = applied.filter { record in files[record.id].map { $0.checksum != record.checksum } ?? false }.map(\.id)
        let partial = history.values.filter { $0.phase != .applied && $0.phase != .rolledBack && $0.statementsDone > 0 }.map(\.id).sorted()
        let schema = try await expected.build(applying: applied.map(\.id), near: url, options: options)
        return DriftReport(applied: applied.map(\.id), changed: changed, partial: partial, diff: SchemaDiff(from: schema, to: live))
    }
}

/// The result of a ``DriftCheck``: the expected schema, the live one, and what differs.
public struct DriftReport: Sendable {
    /// The migrations replayed: those the live database records as applied, in id order.
    public var applied: [MigrationID]
    /// Applied migrations whose files changed since: the replay used today's file, so the
    /// expected schema may not be what was applied.
    public var changed: [MigrationID]
    /// No-transaction migrations that failed or were interrupted part-way: their finished
    /// statements are in the live database but not in the expected schema.
    public var partial: [MigrationID]
    /// From the expected schema (``SchemaDiff/source``) to the live one
    /// (``SchemaDiff/target``): an added object exists only in the live database.
    public var diff: SchemaDiff

    /// Creates a report.
    public init(applied: [MigrationID], changed: [MigrationID] = [], partial: [MigrationID] = [], diff: SchemaDiff) {
        self.applied = applied
        self.changed = changed
        self.partial = partial
        self.diff = diff
    }

    /// Whether the live schema differs from what the applied migrations produce.
    public var hasDrift: Bool { !diff.isEmpty }
    /// The number of differences.
    public var differenceCount: Int { diff.changes.count }
    /// The schema the applied migrations produce.
    public var expected: Schema { diff.source }
    /// The live database's schema.
    public var live: Schema { diff.target }
}
