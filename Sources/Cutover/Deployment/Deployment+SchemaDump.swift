import CutoverCore
import Foundation

/// The schema file kept in the repository (`[dump] schema = "schema.sql"`), as dbmate keeps
/// `db/schema.sql`: rewritten after every `migrate`, `rollback` and `baseline`, so a pull
/// request that adds a migration also shows the schema change it makes.
extension Deployment {
    /// What writing the schema file did.
    public struct SchemaDumpResult: Sendable, Equatable {
        /// The file written (or left as it was): `[dump] schema` resolved against the config
        /// file's folder, or the path passed to ``writeSchemaDump(to:events:)``.
        public var path: String
        /// False when the file already held this schema and was not touched.
        public var written: Bool
        /// The applied migrations listed at its end, in id order.
        public var applied: [MigrationID]

        /// Creates a result.
        public init(path: String, written: Bool, applied: [MigrationID]) {
            self.path = path
            self.written = written
            self.applied = applied
        }
    }

    /// The target's schema as the text of a schema file: its DDL, normalised, then the
    /// applied migrations (``SchemaDump``).
    ///
    /// ```swift
    /// print(try await deployment.schemaDump().text)
    /// ```
    ///
    /// - Returns: the dump; nothing is written.
    /// - Throws: `CutoverError` for connection and introspection errors.
    public func schemaDump() async throws -> SchemaDump {
        try await withSession { database in
            let history = try await Migrator.history(of: database)
            let schema = try await database.introspectSchema()
            return try SchemaDump(
                schema: schema, applied: DriftCheck.applied(history).map { (id: $0.id, name: $0.name) }, dialect: database.dialect)
        }
    }

    /// Writes the target's schema file: to `path`, or to `[dump] schema`; atomically (a
    /// temporary file in the same folder, renamed over the old one), and only when its text
    /// changed.
    ///
    /// ```swift
    /// let result = try await deployment.writeSchemaDump()
    /// if result.written { print("wrote \(result.path)") }
    /// ```
    ///
    /// - Parameters:
    ///   - path: where to write, absolute or relative to the current directory; nil writes
    ///     to `CutoverCore.Configuration.schemaDumpPath`.
    ///   - events: ``DeploymentEvent/schemaDumped(_:)`` once the file is written.
    /// - Returns: the path, whether the file changed, and the migrations listed in it.
    /// - Throws: `CutoverError` `.invalidArgument` when neither `path` nor `[dump] schema`
    ///   names a file, `.schemaDumpFailed` when the file cannot be written, connection and
    ///   introspection errors.
    @discardableResult
    public func writeSchemaDump(to path: String? = nil, events: DeploymentEventHandler = { _ in }) async throws -> SchemaDumpResult {
        guard let path = path ?? config.schemaDumpPath else {
            throw CutoverError(
                .invalidArgument, "no schema file to write: cutover.toml has no [dump] schema",
                hint: "add [dump] schema = \"schema.sql\" to cutover.toml, or pass a path (cutover dump --output schema.sql)",
                file: config.file)
        }
        let dump = try await schemaDump()
        let written: Bool
        do throws(AtomicTextFile.Failure) {
            written = try AtomicTextFile.write(dump.text, to: path)
        } catch {
            throw CutoverError(
                .schemaDumpFailed, "cannot write the schema file '\(path)': \(error.reason) (\(error.step))",
                hint: Self.hint(for: error, path: path, configured: path == config.schemaDumpPath))
        }
        let result = SchemaDumpResult(path: path, written: written, applied: dump.applied)
        events(.schemaDumped(result))
        return result
    }

    /// The configured schema file after a run that changed the target (`migrate`,
    /// `rollback`, `baseline`): nil, nil without `[dump] schema`. A failure is returned and
    /// reported as ``DeploymentEvent/schemaDumpFailed(_:)``, never thrown: the run it
    /// follows succeeded, and its changes stand.
    func writeConfiguredSchemaDump(after run: String, events: @escaping DeploymentEventHandler) async -> (SchemaDumpResult?, CutoverError?) {
        guard let path = config.schemaDumpPath else { return (nil, nil) }
        do {
            return (try await writeSchemaDump(to: path, events: events), nil)
        } catch {
            var failure = error as? CutoverError ?? CutoverError(.schemaDumpFailed, ErrorDescription.of(error))
            failure.message = failure.code == .schemaDumpFailed
                ? "\(run) succeeded and its changes stand, but it " + failure.message
                : "\(run) succeeded and its changes stand, but the schema file '\(path)' was not written: " + failure.message
            failure.code = .schemaDumpFailed
            failure.hint = (failure.hint.map { $0 + "; then " } ?? "") + "run `cutover dump` to write it"
            events(.schemaDumpFailed(failure))
            return (nil, failure)
        }
    }

    private static func hint(for failure: AtomicTextFile.Failure, path: String, configured: Bool) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let change = configured ? "change [dump] schema in cutover.toml" : "pass another path"
        switch failure.code {
        case ENOENT, ENOTDIR: return "create the folder '\(folder.isEmpty ? "." : folder)' first, or \(change)"
        case EACCES, EPERM, EROFS: return "make '\(folder.isEmpty ? "." : folder)' writable for this user, or \(change)"
        case EISDIR: return "'\(path)' is a folder: \(change) to name a file"
        default: return "check the folder and the disk, or \(change)"
        }
    }
}
