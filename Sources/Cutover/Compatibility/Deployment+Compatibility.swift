import CutoverCore
import CutoverOperations

extension Deployment {
    /// Checks the target against what one version of an application needs.
    ///
    /// ```swift
    /// let report = try await deployment.checkCompatibility(requires: [MigrationID("20261124130000")!], versionSchema: "public_20261124130000")
    /// if case .missing(let ids) = report.verdict { … }
    /// ```
    ///
    /// - Parameters:
    ///   - requires: the migrations the app needs applied (a `.sql` one applied, a `.yaml` one
    ///     started — expanded — or completed). List every migration the app was built with: a
    ///     `.yaml` migration newer than all of them that is completed makes an app reading the
    ///     base tables ``SchemaCompatibility/Verdict/tooNew(_:)``.
    ///   - versionSchema: on PostgreSQL, the version schema the app reads through
    ///     (`public_<id>`), or nil when it reads the base tables.
    /// - Returns: the verdict and the columns and tables that pending contract phases remove.
    public func checkCompatibility(requires: [MigrationID], versionSchema: String? = nil) async throws -> SchemaCompatibility {
        try await withSession { database in
            let history = HistoryStore(database: database)
            var applied = Set(try await history.all().values.filter { $0.phase == .applied }.map(\.id))
            applied.formUnion(try await history.operationsRecords().values.filter { $0.phase == .applied }.map(\.id))
            let records = database.dialect.name == PostgresDialect().name ? try await ExpandContractStore(database: database).records() : []
            for record in records where [.expanded, .revertible, .completed].contains(record.phase) { applied.insert(record.id) }

            var needed = requires
            var versionID: MigrationID?
            if let versionSchema {
                versionID = Self.versionID(of: versionSchema)
                if let versionID, !needed.contains(versionID) { needed.append(versionID) }
            }
            let missing = needed.filter { !applied.contains($0) }.sorted()
            let drops = try await Self.pendingDrops(records.filter { [.expanding, .expanded, .revertible].contains($0.phase) }, database: database)
            if !missing.isEmpty { return SchemaCompatibility(verdict: .missing(missing), pendingDrops: drops) }

            if let versionSchema {
                let exists = try await !database.query(
                    "SELECT 1 AS present FROM pg_catalog.pg_namespace WHERE nspname = \(database.dialect.placeholder(1))", [.text(versionSchema)]
                ).isEmpty
                if !exists {
                    let dropper = records.first { record in
                        record.phase == .completed && versionID.map { record.id > $0 } == true
                    }
                    return SchemaCompatibility(
                        verdict: .tooNew(
                            "the version schema \(versionSchema) is gone"
                                + (dropper.map { ": the complete of migration \($0.id) dropped it" } ?? "")
                                + "; this version of the application is older than the database — deploy the newer one"),
                        pendingDrops: drops)
                }
            } else if let newest = requires.max(), let completed = records.last(where: { $0.phase == .completed && $0.id > newest }) {
                return SchemaCompatibility(
                    verdict: .tooNew(
                        "migration \(completed.id) (\(completed.name)) is completed: its contract phase changed the tables this version of the application reads (it knows migrations up to \(newest)); deploy the newer one"),
                    pendingDrops: drops)
            }
            return SchemaCompatibility(verdict: .compatible, pendingDrops: drops)
        }
    }

    /// The id of a version schema's name (`public_20261124130000`), or nil.
    static func versionID(of versionSchema: String) -> MigrationID? {
        guard let underscore = versionSchema.lastIndex(of: "_") else { return nil }
        return MigrationID(versionSchema[versionSchema.index(after: underscore)...])
    }

    /// The columns and tables that the contract phases of `inFlight` remove or rename: the
    /// physical columns of the tables each one changes that are not a column of the new
    /// version under the same name.
    private static func pendingDrops(_ inFlight: [ExpandContractRecord], database: any Database) async throws -> [SchemaCompatibility.PendingDrop] {
        guard !inFlight.isEmpty else { return [] }
        let schema = try await database.introspectSchema()
        var drops: [SchemaCompatibility.PendingDrop] = []
        for record in inFlight where !record.isChainFollower {
            guard let shape = record.plan.shape else { continue }
            for table in schema.tables where (table.name.schema ?? record.schema) == record.schema {
                let changed = record.plan.changedTables?.contains(SQLText.qualified(record.schema, table.name.name)) ?? true
                guard changed, !table.name.name.hasPrefix("_cutover") else { continue }
                guard let next = shape.tables.first(where: { $0.physicalName == table.name.name }) else {
                    drops.append(.init(migration: record.id, table: table.name.name, column: nil, renamedTo: nil))
                    continue
                }
                if next.name != table.name.name {
                    drops.append(.init(migration: record.id, table: table.name.name, column: nil, renamedTo: next.name))
                }
                for column in table.columns where !column.name.hasPrefix("_cutover") && next.column(column.name) == nil {
                    let carrier = next.columns.first { $0.carries(column.name) }
                    drops.append(.init(migration: record.id, table: table.name.name, column: column.name, renamedTo: carrier?.name))
                }
            }
        }
        return drops
    }
}
