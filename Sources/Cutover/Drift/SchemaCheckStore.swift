import Crypto
import CutoverCore
import Foundation

/// The latest verified schema state of a live database: which migrations were applied
/// (``appliedDigest``), what the schema looked like (``fingerprint``), and when a full
/// drift check found the two in agreement. `cutover status` trusts it instead of replaying
/// while both still match.
public struct SchemaCheck: Sendable, Equatable {
    /// SHA-256 of the applied migrations (``DriftCheck/appliedDigest(history:migrations:)``).
    public var appliedDigest: String
    /// SHA-256 of the dialect's `Dialect.schemaFingerprintQuery` result.
    public var fingerprint: String
    /// When the full check ran, ISO-8601 UTC.
    public var checkedAt: String

    /// Creates a state.
    public init(appliedDigest: String, fingerprint: String, checkedAt: String) {
        self.appliedDigest = appliedDigest
        self.fingerprint = fingerprint
        self.checkedAt = checkedAt
    }
}

/// Reads the live schema's fingerprint, and reads and writes the one row of
/// `Dialect.schemaCheckTable`.
struct SchemaCheckStore: Sendable {
    let database: any Database
    var dialect: any Dialect { database.dialect }

    /// SHA-256 (hex) of the fingerprint query's text; nil when the dialect has no query.
    ///
    /// - Throws: `CutoverError` when the query fails.
    func fingerprint() async throws -> String? {
        guard let sql = dialect.schemaFingerprintQuery else { return nil }
        let text = try await database.query(sql).first?.string("fingerprint") ?? ""
        return SHA256.hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// The stored state; nil when there is none or it cannot be read (no table yet, no
    /// privilege): the caller then runs the full check.
    func stored() async -> SchemaCheck? {
        // `checked_at` arrives as ISO-8601 text in UTC from every driver.
        guard let row = try? await database.query("SELECT applied_digest, fingerprint, checked_at FROM \(dialect.schemaCheckTable) WHERE id = 1").first,
            let digest = row.string("applied_digest"), let fingerprint = row.string("fingerprint")
        else { return nil }
        return SchemaCheck(appliedDigest: digest, fingerprint: fingerprint, checkedAt: row.string("checked_at") ?? "")
    }

    /// Replaces the row, creating the table first when the write fails (a history table
    /// made by an older version has no companion yet).
    ///
    /// - Throws: `CutoverError` when the table cannot be created or written (a read-only user).
    func save(_ check: SchemaCheck) async throws {
        do {
            try await write(check)
        } catch {
            for statement in dialect.createSchemaCheckTable { try await database.execute(statement) }
            try await write(check)
        }
    }

    private func write(_ check: SchemaCheck) async throws {
        let sql = """
            INSERT INTO \(dialect.schemaCheckTable) (id, applied_digest, fingerprint, checked_at) \
            VALUES (1, \(dialect.placeholder(1)), \(dialect.placeholder(2)), \(dialect.timestamp(dialect.placeholder(3)))) \
            ON CONFLICT (id) DO UPDATE SET applied_digest = excluded.applied_digest, fingerprint = excluded.fingerprint, checked_at = excluded.checked_at
            """
        try await database.execute(sql, [.text(check.appliedDigest), .text(check.fingerprint), .text(check.checkedAt)])
    }

    // MARK: - Carried forward by migrate

    /// Whether the stored state is current: it names exactly `history` and the live schema
    /// still has its fingerprint, i.e. a full check found no drift and nothing changed since.
    /// False when there is no stored state (one fingerprint query is saved then).
    func verifiedState(history: [MigrationID: HistoryRecord], migrations: [Migration]) async -> Bool {
        guard let stored = await stored(), stored.appliedDigest == DriftCheck.appliedDigest(history: history, migrations: migrations) else { return false }
        return (try? await fingerprint()) == stored.fingerprint
    }

    /// After `migrate` applied migrations to a schema that was verified free of drift
    /// (``verifiedState(history:migrations:)``), the schema is what the migrations give: the
    /// same files ran on the same schema. Stores that, so the next `cutover status` needs no
    /// replay. Best effort: a failure leaves the old row, whose digest no longer matches, and
    /// status then runs the full check.
    func carryForward(history: [MigrationID: HistoryRecord], migrations: [Migration]) async {
        guard let fingerprint = try? await fingerprint() else { return }
        let check = SchemaCheck(
            appliedDigest: DriftCheck.appliedDigest(history: history, migrations: migrations), fingerprint: fingerprint, checkedAt: RunnerIdentity.now())
        try? await save(check)
    }
}
