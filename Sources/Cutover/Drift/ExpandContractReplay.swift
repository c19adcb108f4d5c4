import CutoverCore
import CutoverOperations
import Logging

/// A `.yaml` migration the live database has finished: completed on PostgreSQL, applied on
/// SQLite. The drift check replays it with the `.sql` migrations.
package struct CompletedExpandContract: Sendable, Equatable {
    /// The migration's id.
    package var id: MigrationID
    /// The schema holding its tables (`public`; unused on SQLite).
    package var schema: String

    /// Those of the database behind `database`, in id order.
    package static func all(on database: any Database) async throws -> [CompletedExpandContract] {
        if database.dialect.name == PostgresDialect().name {
            return try await ExpandContractStore(database: database).records()
                .filter { $0.phase == .completed }
                .map { CompletedExpandContract(id: $0.id, schema: $0.schema) }
        }
        return try await HistoryStore(database: database).operationsRecords().values
            .filter { $0.phase == .applied }
            .map { CompletedExpandContract(id: $0.id, schema: "main") }
            .sorted { $0.id < $1.id }
    }
}

/// Replays one `.yaml` migration on a scratch database, to its final shape: on PostgreSQL its
/// start, a backfill of every row in one statement, and its complete, as the live database
/// ran them (so the version schema of the last one stays, as there); on SQLite the direct
/// application `migrate` uses.
struct ExpandContractReplay {
    let database: any Database
    let logger: Logger

    /// Applies `file`.
    /// - Returns: the version schema it leaves (PostgreSQL), which the next one's complete drops.
    func apply(_ file: ExpandContractFile, schema: String, previousVersionSchema: String?) async throws -> String? {
        guard database.dialect.name == PostgresDialect().name else {
            var applier = SQLiteOperationApplier(database: database)
            for operation in file.migration.operations { try await applier.apply(operation, migrationID: file.migration.id) }
            try await applier.check()
            return nil
        }
        let context = OperationContext(schema: schema, migrationID: file.migration.id, previousVersionSchema: previousVersionSchema)
        let shape = VersionShape(schema: try await database.introspectSchema(), named: schema)
        let plan = try file.migration.plan(shape: shape, context: context)
        for action in plan.start + plan.complete {
            if action.kind == .backfill, let table = action.backfillTable {
                // Every row through the dual-write triggers at once: the scratch database has no load.
                let flag = SQLText.quotedIdentifier(action.flagColumn)
                try await database.execute("UPDATE \(SQLText.qualified(schema, table)) SET \(flag) = false WHERE \(flag)")
            } else {
                try await database.execute(action.sql)
            }
        }
        return context.versionSchema
    }
}
