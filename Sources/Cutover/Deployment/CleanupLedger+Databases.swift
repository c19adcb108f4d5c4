import CutoverCore

extension CleanupLedger {
    /// Drops a database the command made (a clone or a scratch database) with `drop`, and
    /// records it as `kind` (`the rehearsal clone`) with its name: removed, or left with the
    /// statement (or file removal) that gets rid of it.
    ///
    /// - Returns: whether it was dropped.
    @discardableResult
    static func drop(_ kind: String, _ url: DatabaseURL, _ drop: () async throws -> Void) async -> Bool {
        let name = url.isLocalFile ? url.path : (url.database ?? url.redacted)
        let remedy = url.isLocalFile ? "remove it with rm '\(name)'" : "drop it with DROP DATABASE \"\(name)\""
        return await remove("\(kind) \(name)", remedy: remedy, drop)
    }
}
