import CutoverCore

extension SQLiteDriver: MissingSchemaRecognizing {
    /// SQLite has no error code for these (both are SQLITE_ERROR): its messages say "no such
    /// column", "has no column named" (an `INSERT`) and "no such table".
    public func missingSchema(in error: any Error) -> MissingSchema? {
        let message = (error as? CutoverError)?.message ?? String(describing: error)
        if message.contains("no such column") || message.contains("has no column named") { return .column }
        if message.contains("no such table") { return .table }
        return nil
    }
}
