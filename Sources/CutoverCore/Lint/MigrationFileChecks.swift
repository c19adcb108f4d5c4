/// Findings about a migration file as a whole rather than one statement: a draft that is
/// not written yet, an up section with no statements, a down section that would undo nothing.
///
/// `cutover lint` and `cutover validate` report them next to the ``Linter``'s findings. None
/// is an error: a draft is a warning (`migrate` stops before it), an empty down section below
/// an up section that changes something is a warning (`rollback` refuses it), and a
/// migration without statements is a note (it is recorded as applied without running
/// anything). Their ``LintFinding/statement`` and ``LintFinding/lock`` are empty.
///
/// ```swift
/// let findings = migrations.flatMap(MigrationFileChecks.findings(for:))
/// ```
public enum MigrationFileChecks {
    /// `-- cutover:draft`, or a blank up section (``Migration/draft``).
    public static let draftRule = "draft-migration"
    /// An up section holding only comments (``Migration/isNoOp``).
    public static let noStatementsRule = "no-statements"
    /// A down section without statements below an up section that has some, not marked
    /// `-- cutover:down empty` (``Migration/hasUnmarkedEmptyDown``).
    public static let emptyDownRule = "empty-down"

    /// The file-level findings of one migration, in line order.
    ///
    /// - Parameter migration: A parsed migration.
    /// - Returns: At most one finding per rule.
    public static func findings(for migration: Migration) -> [LintFinding] {
        func finding(_ rule: String, _ severity: LintFinding.Severity, line: Int, _ message: String, why: String, fix: String) -> LintFinding {
            LintFinding(
                rule: rule, severity: severity, file: migration.fileName, line: line, migrationID: migration.id, statement: "",
                message: message, lock: "", why: why, safeRewrite: fix)
        }
        if let draft = migration.draft {
            return [finding(
                draftRule, .warning, line: draft.line,
                draft.isMarked ? "draft: the file is marked `-- cutover:draft`, so `cutover migrate` stops before it"
                    : "draft: the up section is blank, so `cutover migrate` stops before it",
                why: "A file `cutover new` wrote and nobody finished must not be recorded as applied by accident; migrations before it are applied, this one and later ones are not.",
                fix: draft.fix + ".")]
        }
        var findings: [LintFinding] = []
        if migration.isNoOp {
            findings.append(finding(
                noStatementsRule, .note, line: migration.upMarkerLine ?? 1,
                "no statements: recorded as applied without running anything",
                why: "The up section holds only comments (a step done elsewhere, or a change this database does not need).",
                fix: "Nothing, if that is intended; otherwise write the statements below `-- cutover:up`."))
        }
        if migration.hasUnmarkedEmptyDown {
            findings.append(finding(
                emptyDownRule, .warning, line: migration.downMarkerLine ?? 1,
                "the down section has no statements, but the up section runs \(migration.up.count): `cutover rollback` refuses this migration",
                why: "Rolling it back would run nothing and report success while the up section's change stays in place (the next `migrate` would then fail on it).",
                fix: "Write the statements that undo the up section below `-- cutover:down`, or, if rolling back should intentionally leave the change in place, write the marker as `-- cutover:down empty`."))
        }
        return findings
    }
}
