import CutoverCore

/// The database drivers an app or the command-line tool links, looked up by URL scheme.
/// The engine never imports a driver; it finds one here.
package struct DriverRegistry: Sendable {
    package let drivers: [any DatabaseDriver]

    /// The drivers, each set up from `safety` (`DatabaseDriver.configured(for:)`).
    package init(_ drivers: [any DatabaseDriver], safety: CutoverCore.Configuration.Safety) {
        self.drivers = drivers.map { $0.configured(for: safety) }
    }

    /// The driver for a URL's scheme.
    ///
    /// - Parameter label: names the database in the error (the redacted URL when nil).
    /// - Throws: `CutoverError` `.invalidURL` when no driver serves the scheme.
    package func driver(for url: DatabaseURL, label: String? = nil) throws -> any DatabaseDriver {
        guard let driver = drivers.first(where: { $0.schemes.contains(url.scheme) }) else {
            throw CutoverError(
                .invalidURL, "no driver for '\(url.scheme)' URLs in this version (\(label ?? url.redacted))",
                hint: drivers.isEmpty ? "pass a database driver to the deployment" : "supported schemes: \(drivers.flatMap(\.schemes).joined(separator: ", "))")
        }
        return driver
    }
}
