import CutoverCore
import CutoverOperations
import Foundation

/// `cutover lint` with a target at hand: the pending `.yaml` migrations planned against its
/// tables, so an operation that does not fit them (a missing table or column, a name taken)
/// is a finding at the operation's line before `start` or `migrate` meets it.
extension Deployment {
    /// The lint rule id of a `.yaml` migration that cannot be planned against the target.
    public static let expandContractPlanRule = "expand-contract-plan"

    /// Plans the pending `.yaml` migrations, in id order, against the target's tables as they
    /// are (each on the shape the one before it leaves), as far as the shape is known: it
    /// stops at a pending `.sql` migration (lint does not run SQL), at a `.yaml` migration in
    /// flight, and at the first that does not plan. Reads the target, changes nothing.
    ///
    /// ```swift
    /// for finding in try await deployment.expandContractPlanFindings() { print(finding.renderedText()) }
    /// ```
    ///
    /// - Returns: at most one error finding (rule ``expandContractPlanRule``) at the file and
    ///   line of the operation that does not fit, with the planner's message and hint.
    /// - Throws: `CutoverError` when the target cannot be read.
    public func expandContractPlanFindings() async throws -> [LintFinding] {
        let yamlIDs = expandContractIDs(upTo: nil)
        guard !yamlIDs.isEmpty else { return [] }
        let sqlIDs = try migrations().map(\.id)
        return try await withSession { database in
            let applied = try await HistoryStore(database: database).all()
            let states = Dictionary(try await expandContractStates(on: database).map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
            let schema = database.dialect.name == SQLiteDialect().name ? "main" : "public"
            var shape = VersionShape(schema: try await database.introspectSchema(), named: schema)
            for id in Set(sqlIDs + yamlIDs).sorted() {
                if sqlIDs.contains(id) {
                    guard applied[id]?.phase == .applied else { return [] }
                    continue
                }
                let state = states[id]
                if state == .applied || state == .completed { continue }
                guard state == .pending else { return [] }
                let file = try ExpandContractFile.load(id: id, folder: config.migrationsDirectory)
                do {
                    shape = try file.migration.plan(shape: shape, context: OperationContext(schema: schema, migrationID: id)).shape
                } catch let error as CutoverError where error.code.rawValue == CutoverError.Code.invalidMigration.rawValue {
                    return [LintFinding(
                        rule: Self.expandContractPlanRule, severity: .error, file: error.file ?? file.path, line: error.line ?? 1, migrationID: id,
                        statement: "", message: error.message, lock: "",
                        why: "planned against the tables of \(target.environment) as they are now, after the migrations before it: `cutover start` and `migrate` would refuse it",
                        safeRewrite: error.hint ?? "change the operation to fit the tables")]
                }
            }
            return []
        }
    }

    /// The lint findings of the hand-written SQL of the `.yaml` migrations `ids` (their `sql`
    /// up/down, `create_view` queries, `language: sql` function bodies; ``ExpandContractLint``),
    /// for the target's dialect: what `migrate` gates on before a `.yaml` migration starts, and
    /// `validate` reports, as for the pending `.sql` files.
    /// - Parameter serverVersion: the server's `server_version_num`, when a session knows it.
    /// - Throws: `CutoverError` `.invalidMigration` for a file that does not parse.
    package func expandContractLintFindings(_ ids: [MigrationID], serverVersion: Int? = nil) throws -> [LintFinding] {
        guard !ids.isEmpty else { return [] }
        let files = try ids.map { try ExpandContractFile.load(id: $0, folder: config.migrationsDirectory) }
        let linter = Linter(configuration: Linter.Configuration(safety: config.safety, postgresVersion: serverVersion))
        return ExpandContractLint.findings(of: files, linter: linter, dialect: try driver(for: target.url).dialect)
    }
}
