import CutoverCore

/// `SET NOT NULL` without a long lock: the expand phase added `CHECK (col IS NOT NULL) NOT
/// VALID`; the contract phase validates it (SHARE UPDATE EXCLUSIVE: reads and writes go on),
/// then `SET NOT NULL` finds the valid check and skips its full-table scan (PostgreSQL 12+,
/// "ALTER TABLE … SET NOT NULL"), and the check is dropped.
struct NotNullThroughCheck {
    var context: OperationContext
    var table: String
    var column: String
    var checkName: String

    /// The `ADD CONSTRAINT … NOT VALID` of the expand phase.
    var startAction: PlannedAction {
        let qualified = context.qualified(table)
        return .statement(
            "ALTER TABLE \(qualified) ADD CONSTRAINT \(SQLText.quotedIdentifier(checkName)) CHECK (\(SQLText.quotedIdentifier(column)) IS NOT NULL) NOT VALID",
            lock: .accessExclusive, table: qualified)
    }

    /// Validate, set NOT NULL, drop the check.
    var completeActions: [PlannedAction] {
        let qualified = context.qualified(table)
        let check = SQLText.quotedIdentifier(checkName)
        return [
            .statement("ALTER TABLE \(qualified) VALIDATE CONSTRAINT \(check)", lock: .shareUpdateExclusive, table: qualified),
            .statement("ALTER TABLE \(qualified) ALTER COLUMN \(SQLText.quotedIdentifier(column)) SET NOT NULL", lock: .accessExclusive, table: qualified),
            .statement("ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(check)", lock: .accessExclusive, table: qualified),
        ]
    }

    /// The abort's removal of the check, run before the dual-write triggers go (see
    /// ``ExpandContractMigration/abortOrder(_:)``): once they are gone nothing fills the
    /// shadow column, and the old version's inserts must not fail on the check.
    var abortAction: PlannedAction {
        let qualified = context.qualified(table)
        return .statement(
            "ALTER TABLE \(qualified) DROP CONSTRAINT IF EXISTS \(SQLText.quotedIdentifier(checkName))", lock: .accessExclusive, table: qualified)
    }

    /// Whether `action` is an ``abortAction`` (a removal of a check of this kind).
    static func isRemoval(_ action: PlannedAction) -> Bool {
        action.kind == .statement && action.sql.hasPrefix("ALTER TABLE ") && action.sql.contains(" DROP CONSTRAINT IF EXISTS \"_cutover_")
            && action.sql.hasSuffix("_not_null\"")
    }
}
