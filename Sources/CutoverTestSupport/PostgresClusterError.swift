import Foundation

/// Why the test cluster could not be provided. Its description carries everything needed
/// to act on it (how to install PostgreSQL, the end of the server log), because a test
/// failure shows only the description.
public struct PostgresClusterError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// Program output or server log, when there is some.
    public var details: String?

    /// Creates an error.
    public init(_ message: String, details: String? = nil) {
        self.message = message
        self.details = details
    }

    public var description: String {
        guard let details, !details.isEmpty else { return message }
        return message + "\n" + details
    }
}
