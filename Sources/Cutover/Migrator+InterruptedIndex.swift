import CutoverCore
import Logging

extension Migrator {
    /// Settles what an interrupted `CREATE INDEX CONCURRENTLY` left behind before a rerun
    /// runs the statement again (`Dialect.interruptedIndexCheck(for:)`):
    ///
    /// - an INVALID index of the statement's name (or, for an unnamed statement, an INVALID
    ///   index with the statement's definition) is dropped, concurrently, and the statement
    ///   runs again;
    /// - a valid index that matches the statement counts as the statement done: the backend
    ///   of a killed run can finish the build after its client is gone;
    /// - a valid index of that name with another definition is left alone, and the statement
    ///   fails on it as it would have anyway.
    ///
    /// - Returns: true when the statement's index exists and is valid (progress is recorded).
    func settleInterruptedIndex(_ statement: SQLStatement, index: Int, of migration: Migration) async throws -> Bool {
        guard let check = dialect.interruptedIndexCheck(for: statement.sql) else { return false }
        let onTable = try await database.query(check.existingIndexesQuery)
        let named = check.build.indexName.map { name in onTable.filter { $0.string("index_name") == name } }
        guard !(named ?? onTable).isEmpty else { return false }
        // A statement the server rejects on the empty copy runs (and fails) as usual below.
        let wanted = (try? await probeSignature(check)) ?? nil
        let candidates = named ?? onTable.filter { $0.string("signature") == wanted }
        if candidates.contains(where: { $0["valid"] == .bool(true) && $0.string("signature") == wanted }) {
            logger.notice("the index of an interrupted statement is complete and valid; counting it as done", metadata: ["cutover_migration": "\(migration.fileName)", "line": "\(statement.line)"])
            try await setProgress(migration, done: index + 1)
            events(.statementFinished(id: migration.id, index: index, total: migration.up.count, line: statement.line, duration: .zero))
            return true
        }
        for leftover in candidates where leftover["valid"] == .bool(false) {
            guard let name = leftover.string("name") else { continue }
            logger.notice("dropping the INVALID index an interrupted run left behind", metadata: ["cutover_migration": "\(migration.fileName)", "index": "\(name)"])
            try await database.execute(check.dropStatement(name))
        }
        return false
    }

    /// The signature of the statement's index, built on an empty copy of its table in a
    /// transaction that is rolled back.
    private func probeSignature(_ check: InterruptedIndexCheck) async throws -> String? {
        try await database.execute(dialect.beginTransaction)
        do {
            var signature: String?
            for (offset, sql) in check.probeStatements.enumerated() {
                if offset == check.probeStatements.count - 1 {
                    signature = try await database.query(sql).first?.string("signature")
                } else {
                    try await database.execute(sql)
                }
            }
            try await database.execute("ROLLBACK")
            return signature
        } catch {
            throw await database.rollBack(after: error)
        }
    }
}
