import Cutover
import CutoverCore
import Testing

/// The states `status`, `migrate` and `validate` are built on, from files and history rows.
@Suite("Files and history rows become one state per migration")
struct MigrationPlannerTests {
    static func migration(_ id: String, checksum: String = "c") -> Migration {
        Migration(
            id: MigrationID(id)!, name: "m\(id)", fileName: "\(id)_m\(id).sql", up: [SQLStatement(sql: "SELECT 1", line: 2)],
            down: nil, isTransactional: true, checksum: checksum)
    }

    static func row(_ id: String, _ phase: HistoryRecord.Phase, checksum: String = "c") -> (MigrationID, HistoryRecord) {
        (MigrationID(id)!, HistoryRecord(id: MigrationID(id)!, name: "m\(id)", checksum: checksum, phase: phase))
    }

    static func states(_ migrations: [Migration], _ rows: [(MigrationID, HistoryRecord)]) -> [String] {
        MigrationPlanner().states(migrations: migrations, history: Dictionary(uniqueKeysWithValues: rows))
            .map { "\($0.id.rawValue):\($0.kind)" }
    }

    @Test("applied, changed, failed, pending and out-of-order files, in id order")
    func everyKindOfFile() {
        let files = ["1", "2", "3", "4", "5"].map { Self.migration($0) }
        let rows = [Self.row("1", .applied), Self.row("2", .applied, checksum: "old"), Self.row("3", .failed), Self.row("5", .applied)]
        #expect(Self.states(files, rows) == ["1:applied", "2:changed", "3:failed", "4:out_of_order", "5:applied"])
        let kinds = MigrationPlanner().fileKinds(migrations: files, history: Dictionary(uniqueKeysWithValues: rows))
        #expect(kinds.map(\.rawValue) == ["applied", "changed", "failed", "out_of_order", "applied"])
    }

    @Test("rows whose file is gone are missing (applied) or failed, and rolled-back rows are dropped")
    func rowsWithoutFiles() {
        let files = [Self.migration("2")]
        let rows = [Self.row("1", .applied), Self.row("2", .applied), Self.row("3", .failed), Self.row("4", .rolledBack)]
        #expect(Self.states(files, rows) == ["1:missing", "2:applied", "3:failed"])
    }

    @Test("files out of order, or with one id twice, still show a row whose file is gone")
    func unorderedFiles() {
        // Every row but 7 matches a file, and as many rows match as there are rows: a count
        // alone would miss 7 when a row is matched twice.
        let files = [Self.migration("3"), Self.migration("1"), Self.migration("3")]
        let rows = [Self.row("1", .applied), Self.row("3", .applied), Self.row("7", .applied)]
        #expect(Self.states(files, rows) == ["1:applied", "3:applied", "3:applied", "7:missing"])
    }
}
