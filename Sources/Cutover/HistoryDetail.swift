/// How much of each history row a read fetches.
public enum HistoryDetail: Sendable, Equatable {
    /// Every column.
    case full
    /// What migration states, plans and the drift check use: id, name, checksum, phase,
    /// finished_at, statement progress, failed_line and error_message. The run details
    /// (`kind`, `started_at`, `duration_ms`, `applied_by`, `tool_version`, `failed_statement`,
    /// `error_sqlstate`) come back unset, so such a record must never be saved. About half the
    /// values of an applied row: a `cutover status` of a thousand migrations reads and decodes
    /// that much less.
    case summary
}
