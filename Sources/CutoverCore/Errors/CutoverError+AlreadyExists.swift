extension CutoverError {
    /// True when the database refused a statement because what it creates is already there:
    /// PostgreSQL's duplicate_table/column/object/schema/function (`42P07`, `42701`, `42710`,
    /// `42P06`, `42723`), SQLite's "table … already exists" and "duplicate column name".
    ///
    /// A migration failing this way usually means the database was set up outside Cutover
    /// (by hand, another tool, a restored dump), and the fix is `cutover baseline`.
    public var meansObjectAlreadyExists: Bool {
        if let state = databaseCode?.sqlState {
            return [SQLState.duplicateTable, .duplicateColumn, .duplicateObject, .duplicateSchema, .duplicateFunction].contains(state)
        }
        if databaseCode?.sqliteResultCode != nil {
            return message.contains("already exists") || message.contains("duplicate column name")
        }
        return false
    }
}
