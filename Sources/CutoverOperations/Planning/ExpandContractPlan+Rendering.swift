/// The plan as SQL text, as `cutover plan` prints it and the golden tests compare it.
extension ExpandContractPlan {
    /// One phase's actions as a SQL script: each statement ends in `;` and is preceded by a
    /// comment naming the lock it takes and whether it must run alone, outside a transaction.
    ///
    /// ```swift
    /// print(plan.script(plan.start))
    /// ```
    ///
    /// - Parameter actions: ``start``, ``complete`` or ``abort``.
    /// - Returns: the script, ending in a newline; `-- nothing to do` for no actions.
    public func script(_ actions: [PlannedAction]) -> String {
        guard !actions.isEmpty else { return "-- nothing to do\n" }
        return actions.map { action in
            switch action.kind {
            case .backfill:
                return action.sql + "\n"
            case .statement:
                var notes = [action.lock == .none ? "no table lock" : "lock: \(action.lock)\(action.table.map { " on \($0)" } ?? "")"]
                if !action.runsInTransaction { notes.append("alone, outside a transaction") }
                return "-- \(notes.joined(separator: "; "))\n\(action.sql);\n"
            }
        }.joined(separator: "\n")
    }

    /// The three phases as one text with a heading each.
    /// - Returns: `-- start (expand)`, `-- complete (contract)` and `-- abort` sections.
    public func rendered() -> String {
        [("start (expand)", start), ("complete (contract)", complete), ("abort", abort)]
            .map { "-- ==== \($0.0) ====\n\n" + script($0.1) }
            .joined(separator: "\n")
    }
}
