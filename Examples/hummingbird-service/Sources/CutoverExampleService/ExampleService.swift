import CutoverCore
import CutoverRuntime
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The example service's entry point: start-up (``ServiceRuntime/start(settings:logger:)``),
/// the flag watcher in the background, then the HTTP server on 127.0.0.1 until SIGINT or
/// SIGTERM.
@main
struct ExampleService {
    static func main() async throws {
        let logger = {
            var logger = Logger(label: "example-service")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return logger
        }()
        let settings: Settings
        let runtime: ServiceRuntime
        do {
            settings = try Settings(environment: ProcessInfo.processInfo.environment)
            runtime = try await ServiceRuntime.start(settings: settings, logger: logger)
        } catch let error as CutoverError {
            // Fail fast, with the library's message and hint (an incompatible schema, a
            // migration that failed, an unreachable database).
            logger.critical("cannot start: \(error.message)\(error.hint.map { " (hint: \($0))" } ?? "")")
            exit(1)
        } catch {
            logger.critical("cannot start: \(error)")
            exit(1)
        }

        // On PostgreSQL, listens for switch changes (each reaches this node within a round
        // trip); on SQLite it returns at once and the flags' refresh interval decides.
        let watching = Task { [flags = runtime.flags, logger] in
            do { try await flags.watch() } catch { logger.warning("stopped watching the switches: \(error)") }
        }
        defer { watching.cancel() }

        let app = Application(
            router: buildRouter(runtime),
            configuration: .init(address: .hostname("127.0.0.1", port: settings.port), serverName: "cutover-example"),
            onServerRunning: { channel in
                // The port actually bound (PORT=0 picks a free one; smoke.sh relies on this line).
                logger.notice("listening on http://127.0.0.1:\(channel.localAddress?.port ?? settings.port)")
            },
            logger: logger
        )
        try await app.runService()
    }
}

/// What the service reads from its environment.
struct Settings: Sendable {
    /// `PORT`: the loopback port to listen on (8080; 0 picks a free one).
    var port: Int
    /// `CUTOVER_CONFIG`: the `cutover.toml` to read; nil finds the nearest one from the
    /// working directory upwards (this folder's).
    var configPath: String?
    /// `MIGRATE_ON_START`: `1` (default) applies pending migrations at start-up; `0` leaves
    /// that to a deploy job, and the schema guard then refuses a database that lacks them.
    var migrateOnStart: Bool
    /// `FLAGS_REFRESH_SECONDS`: how long switch values are served before the table is read
    /// again (1). On PostgreSQL `watch()` brings every change at once whatever this is.
    var flagsRefresh: Duration

    init(environment: [String: String]) throws {
        let portText = environment["PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw SettingsError(message: "PORT=\(portText) is not a port number (0-65535)")
        }
        self.port = port
        configPath = environment["CUTOVER_CONFIG"]
        migrateOnStart = environment["MIGRATE_ON_START"] != "0"
        let refreshText = environment["FLAGS_REFRESH_SECONDS"] ?? "1"
        guard let refresh = Int(refreshText), refresh >= 0 else {
            throw SettingsError(message: "FLAGS_REFRESH_SECONDS=\(refreshText) is not a whole number of seconds")
        }
        flagsRefresh = .seconds(refresh)
    }
}

/// A setting the service cannot use.
struct SettingsError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
