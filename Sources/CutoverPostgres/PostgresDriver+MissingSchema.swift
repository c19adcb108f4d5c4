import CutoverCore
import PostgresNIO

extension PostgresDriver: MissingSchemaRecognizing {
    /// 42703 (undefined column), 42P01 (undefined table), and 0A000 "cached plan must not change
    /// result type", from a ``CutoverError`` or from postgres-nio's `PSQLError` (application code).
    public func missingSchema(in error: any Error) -> MissingSchema? {
        if let error = error as? CutoverError {
            return Self.missingSchema(sqlState: error.sqlState?.rawValue, message: error.message)
        }
        if let error = error as? PSQLError, error.code == .server {
            return Self.missingSchema(sqlState: error.serverInfo?[.sqlState], message: error.serverInfo?[.message] ?? "")
        }
        return nil
    }

    static func missingSchema(sqlState: String?, message: String) -> MissingSchema? {
        switch sqlState {
        case SQLState.undefinedColumn.rawValue: .column
        case SQLState.undefinedTable.rawValue: .table
        case SQLState.featureNotSupported.rawValue where message.contains("cached plan must not change result type"): .stalePlan
        default: nil
        }
    }
}
