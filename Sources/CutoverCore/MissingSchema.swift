/// What an error says the database lacks when the application's code is newer than its schema:
/// the errors ``MissingSchemaRecognizing`` drivers recognise and CutoverRuntime's
/// `SchemaRepair` repairs by applying the pending migrations.
public enum MissingSchema: String, Sendable, Hashable, CaseIterable {
    /// An unknown column (PostgreSQL 42703, SQLite "no such column" / "has no column named").
    case column
    /// An unknown table (PostgreSQL 42P01, SQLite "no such table").
    case table
    /// PostgreSQL's "cached plan must not change result type": a prepared statement planned
    /// before the table changed.
    case stalePlan = "stale_plan"
}

/// A driver capability: recognising, in any error its database or its client library raised
/// (a ``CutoverError``, or the client's own error type thrown by application code), an unknown
/// column or table.
public protocol MissingSchemaRecognizing: Sendable {
    /// What `error` says is missing, or nil for any other error.
    func missingSchema(in error: any Error) -> MissingSchema?
}
