import CutoverCore

/// An operation that changes one column of a table: the planner lets each column be changed
/// by one operation per expand phase (a migration, or a chain planned as one step).
///
/// Every operation plans its contract phase from the physical names as they were before it;
/// a second change to the same column would meet the first one's renames and drops at
/// `complete` (`DROP COLUMN IF EXISTS "name"` after `name` became `full_name` does nothing).
protocol ChangesOneColumn: ExpandContractOperation {
    /// The table, as the version before the operation names it.
    var changedTable: String { get }
    /// The column, as the version before the operation names it.
    var changedColumn: String { get }
    /// The column's name after the operation; nil when it drops it.
    var resultingColumn: String? { get }
}

extension RenameColumn: ChangesOneColumn {
    var changedTable: String { table }
    var changedColumn: String { from }
    var resultingColumn: String? { to }
}

extension AlterColumn: ChangesOneColumn {
    var changedTable: String { table }
    var changedColumn: String { column }
    var resultingColumn: String? { newName ?? column }
}

extension DropColumn: ChangesOneColumn {
    var changedTable: String { table }
    var changedColumn: String { column }
    var resultingColumn: String? { nil }
}

/// The columns changed so far while one plan is made, to refuse a second change to one.
struct ColumnChangeLedger {
    /// `table.column` (names of the new version so far) → where it was changed.
    private var changed: [String: (file: String, line: Int)] = [:]

    /// Records `operation`'s change, or throws when its column was changed earlier in the plan.
    mutating func record(_ operation: any ExpandContractOperation) throws {
        if let added = operation as? AddColumn {
            changed["\(added.table).\(added.column.name)"] = (added.file, added.line)
            return
        }
        guard let change = operation as? any ChangesOneColumn else { return }
        let key = "\(change.changedTable).\(change.changedColumn)"
        if let earlier = changed[key] {
            let name = type(of: change).name
            throw CutoverError(
                .invalidMigration,
                "\(name): column \"\(change.changedColumn)\" of \"\(change.changedTable)\" is already changed by the operation at \(earlier.file):\(earlier.line); one expand phase changes a column once",
                hint: "move this change to a later migration and start it once this one is completed",
                file: change.file, line: change.line)
        }
        if let result = change.resultingColumn { changed["\(change.changedTable).\(result)"] = (change.file, change.line) }
    }
}
