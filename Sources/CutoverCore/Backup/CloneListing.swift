import Logging

/// A driver that can find the clones Cutover left on a server: rehearsal clones kept with
/// `--keep`, or left by a run that was killed (`kill -9`, a lost machine) before it could
/// drop them. Found by a cast, as the other optional capabilities.
///
/// ```swift
/// if let listing = driver as? any CloneListing {
///     let names = try await listing.unusedClones(near: url, prefix: "app_rehearsal_", logger: logger)
/// }
/// ```
public protocol CloneListing: Sendable {
    /// Databases on the server of `url` whose names start with `prefix`, that Cutover made
    /// (they carry its marker comment) and that no session is connected to.
    ///
    /// - Returns: their names, sorted.
    /// - Throws: connection errors.
    func unusedClones(near url: DatabaseURL, prefix: String, logger: Logger) async throws -> [String]
}
