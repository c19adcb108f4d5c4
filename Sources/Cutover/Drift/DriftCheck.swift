import Crypto
import CutoverCore
import Logging

/// Compares a live database's schema with the schema its applied migrations produce
/// (`ExpectedSchema`): what `cutover diff --against migrations`, `cutover status`,
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
/// - ``init(driver:migrations:configuration:options:expandContractFolder:logger:)``
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
    ///   - expandContractFolder: the folder of the `.yaml` migrations, replayed with the
    ///     `.sql` ones once the live database has completed them; nil: none are expected.
    ///   - logger: receives the statements run (debug).
    /// - Throws: `CutoverError` `.introspectionUnsupported` when the driver cannot make
    ///   scratch databases.
    public init(
        driver: any DatabaseDriver, migrations: [Migration], configuration: Migrator.Configuration = .init(),
        options: IntrospectionOptions = .init(), expandContractFolder: String? = nil,
        logger: Logger = Logger(label: "cutover", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.driver = driver
        self.options = options
        var expected = try ExpectedSchema(driver: driver, migrations: migrations, configuration: configuration, logger: logger)
        expected.expandContractFolder = expandContractFolder
        self.expected = expected
        self.logger = logger
    }

    /// Opens the database at `url`, reads its history and schema, closes it, and compares
    /// the schema with the expected one.
    ///
    /// - Parameter url: the live database.
    /// - Returns: the comparison.
    /// - Throws: `CutoverError`: connection errors, `.validationFailed` when an applied
    ///   migration has no file, `.migrationFailed` when the files fail on the scratch
    ///   database, `.invalidArgument` when the scratch database cannot be created.
    public func run(on url: DatabaseURL) async throws -> DriftReport {
        try await driver.withSession(url, logger: logger) { database in
            try await run(on: database, url: url)
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
        try await run(on: database, url: url, history: try await HistoryStore(database: database).all())
    }

    /// ``run(on:url:)`` with the history already read.
    func run(on database: any Database, url: DatabaseURL, history: [MigrationID: HistoryRecord]) async throws -> DriftReport {
        let live = try await database.introspectSchema(options: options)
        let applied = Self.applied(history)
        let expandContract = try await CompletedExpandContract.all(on: database)
        let schema = try await expected.build(applying: applied.map(\.id), expandContract: expandContract, near: url, options: options)
        return DriftReport(
            applied: (applied.map(\.id) + expandContract.map(\.id)).sorted(), changed: changed(applied), partial: Self.partial(history),
            diff: SchemaDiff(from: schema, to: live), dialect: database.dialect)
    }

    /// The verdict `cutover status` prints, cheap in the steady state: when the database's
    /// ``SchemaCheck`` row has this history's ``appliedDigest(history:migrations:)`` and the
    /// live schema's fingerprint (`Dialect.schemaFingerprintQuery`), nothing changed since
    /// a full check found no drift, and the report says so (``DriftReport/cachedCheckedAt``)
    /// without replaying anything. Otherwise it runs the full check (``run(on:url:)``) and,
    /// when that finds no drift and the fingerprint did not move while it ran, stores the new
    /// state — best effort: a failure to write is reported in
    /// ``DriftReport/schemaCheckNotSaved``, not thrown.
    ///
    /// Only with the default ``options``: other options compare other objects, so they
    /// always run the full check and store nothing.
    ///
    /// - Parameters:
    ///   - database: a session on the live database; it is not closed.
    ///   - url: the same database's URL, whose server hosts the scratch database.
    ///   - history: the database's history, already read by the caller.
    ///   - willReplay: called just before the migrations are replayed (to say so).
    /// - Returns: the comparison; its diff is empty when it came from the stored check.
    /// - Throws: as ``run(on:)``, and `CutoverError` when the fingerprint query fails.
    public func runUsingSchemaCheck(
        on database: any Database, url: DatabaseURL, history: [MigrationID: HistoryRecord], willReplay: @Sendable () -> Void = {}
    ) async throws -> DriftReport {
        let store = SchemaCheckStore(database: database)
        guard options == IntrospectionOptions(), let before = try await store.fingerprint() else {
            willReplay()
            return try await run(on: database, url: url, history: history)
        }
        let digest = Self.appliedDigest(history: history, migrations: expected.migrations)
        let applied = Self.applied(history)
        if let stored = await store.stored(), stored.appliedDigest == digest, stored.fingerprint == before {
            let empty = Schema(dialect: database.dialect.name)
            var report = DriftReport(
                applied: applied.map(\.id), changed: changed(applied), partial: Self.partial(history), diff: SchemaDiff(from: empty, to: empty),
                dialect: database.dialect)
            report.cachedCheckedAt = stored.checkedAt
            return report
        }
        willReplay()
        var report = try await run(on: database, url: url, history: history)
        // Nothing to remember without drift-free results, nor where Cutover keeps no history
        // (status must not create Cutover's tables in a database it never migrated).
        guard !report.hasDrift, !history.isEmpty else { return report }
        do {
            // A change made while the check ran must not be recorded as verified.
            guard try await store.fingerprint() == before else {
                report.schemaCheckNotSaved = "the schema changed while it was being checked"
                return report
            }
            try await store.save(SchemaCheck(appliedDigest: digest, fingerprint: before, checkedAt: RunnerIdentity.now()))
        } catch let error as CutoverError {
            logger.notice("could not store the verified schema state", metadata: ["cutover_error": "\(error.message)"])
            report.schemaCheckNotSaved = error.message
        } catch {
            report.schemaCheckNotSaved = "\(error)"
        }
        return report
    }

    /// SHA-256 (hex) of what the expected schema is built from: the tool version, then each
    /// applied migration in id order with its recorded checksum and the checksum of today's
    /// file (the replay runs the file), so applying, rolling back, repairing or editing a
    /// migration, or upgrading Cutover, each invalidates a stored ``SchemaCheck``.
    ///
    /// - Parameters:
    ///   - history: the history rows, keyed by id.
    ///   - migrations: today's migration files.
    /// - Returns: 64 lowercase hex digits.
    public static func appliedDigest(history: [MigrationID: HistoryRecord], migrations: [Migration]) -> String {
        let files = Dictionary(migrations.map { ($0.id, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        var text = "cutover \(CutoverVersion.current)\n"
        for record in applied(history) {
            text += "\(record.id.normalized)\t\(record.checksum)\t\(files[record.id] ?? "-")\n"
        }
        return SHA256.hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// The applied rows, in id order.
    static func applied(_ history: [MigrationID: HistoryRecord]) -> [HistoryRecord] {
        history.values.filter { $0.phase == .applied }.sorted { $0.id < $1.id }
    }

    /// No-transaction migrations stopped part-way.
    static func partial(_ history: [MigrationID: HistoryRecord]) -> [MigrationID] {
        history.values.filter { $0.phase != .applied && $0.phase != .rolledBack && $0.statementsDone > 0 }.map(\.id).sorted()
    }

    /// Applied migrations whose files changed since.
    func changed(_ applied: [HistoryRecord]) -> [MigrationID] {
        let files = Dictionary(expected.migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return applied.filter { record in files[record.id].map { $0.checksum != record.checksum } ?? false }.map(\.id)
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
    /// From the expected schema (`SchemaDiff.source`) to the live one
    /// (`SchemaDiff.target`): an added object exists only in the live database. Empty
    /// (between two empty schemas) when the verdict came from a stored check.
    public var diff: SchemaDiff
    /// The live database's dialect: its `Dialect.schemaRenderer` writes the DDL of ``diff``
    /// (`diff.script(for: report.dialect)`).
    public var dialect: any Dialect
    /// When the verdict came from a stored ``SchemaCheck`` (no replay): when that check ran.
    public var cachedCheckedAt: String?
    /// Why a clean full check could not be stored for the next status, if it could not.
    public var schemaCheckNotSaved: String?

    /// Creates a report.
    public init(applied: [MigrationID], changed: [MigrationID] = [], partial: [MigrationID] = [], diff: SchemaDiff, dialect: any Dialect) {
        self.applied = applied
        self.changed = changed
        self.partial = partial
        self.diff = diff
        self.dialect = dialect
    }

    /// Whether the verdict came from a stored check rather than a replay.
    public var isCached: Bool { cachedCheckedAt != nil }
    /// Whether the live schema differs from what the applied migrations produce.
    public var hasDrift: Bool { !diff.isEmpty }
    /// The number of differences.
    public var differenceCount: Int { diff.changes.count }
    /// The schema the applied migrations produce.
    public var expected: Schema { diff.source }
    /// The live database's schema.
    public var live: Schema { diff.target }
}
