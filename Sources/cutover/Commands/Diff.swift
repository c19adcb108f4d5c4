import ArgumentParser
import Cutover
import CutoverCore
import CutoverPostgres
import CutoverSQLite
import Foundation
import Logging

extension CutoverCommand {
    /// `cutover diff A B [--sql] [--json]`: the schema differences between two databases.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the schemas of two databases (env names or URLs); exit 3 when they differ.",
            discussion: """
                A and B are environment names from cutover.toml or database URLs (sqlite:PATH, \
                postgres://…); both must be the same kind of database. The changes are listed as \
                added (+), removed (-) and changed (~) objects going from A to B. With --sql, the \
                DDL that turns A into B is printed instead, in dependency order; statements that \
                lose data carry a WARNING comment, and changes the database cannot make in place \
                are listed as UNSUPPORTED. Cutover's own tables are left out unless --include-cutover.
                Exit codes: 0 identical · 3 different · 2 bad input · 4 could not connect.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("A and B: environment names or database URLs.", valueName: "database"))
        var databases: [String] = []

        @Flag(name: .long, help: "Print the DDL that turns A into B.")
        var sql = false

        @Flag(name: .customLong("include-cutover"), help: "Include Cutover's own objects (schema cutover, tables cutover_*).")
        var includeCutover = false

        @Option(name: .customLong("schema"), help: ArgumentHelp("PostgreSQL: compare only this schema (repeatable).", valueName: "name"))
        var schemas: [String] = []

        func validate() throws {
            guard databases.count == 2 else {
                throw ValidationError("diff compares two databases: cutover diff A B (env names or URLs), got \(databases.count)")
            }
        }

        func run() async throws {
            let logger = CommandContext.makeLogger(global)
            do {
                let config = try configuration()
                let context = CommandContext(options: global, config: config, logger: logger)
                let from = try endpoint(databases[0], config: config)
                let to = try endpoint(databases[1], config: config)
                let options = IntrospectionOptions(includesCutoverObjects: includeCutover, schemas: schemas.isEmpty ? nil : schemas)
                async let fromSchema = Self.introspect(from, options: options, context: context)
                async let toSchema = Self.introspect(to, options: options, context: context)
                let (source, target) = try await (fromSchema, toSchema)
                guard source.dialect == target.dialect else {
                    throw CutoverError(
                        .dialectMismatch, "cannot compare \(from.label) (\(source.dialect)) with \(to.label) (\(target.dialect))",
                        hint: "diff compares two databases of the same kind")
                }
                let diff = SchemaDiff(from: source, to: target)
                let script = sql ? try diff.script() : nil
                write(diff, script: script, from: from, to: to)
                if let script, !script.isComplete, !global.quiet {
                    Terminal.err(Terminal.yellow("warning: ") + "\(script.unsupported.count) change\(script.unsupported.count == 1 ? "" : "s") cannot be written as SQL; see the UNSUPPORTED lines")
                }
                if !diff.isEmpty { throw ExitCode(3) }
            } catch let error as CutoverError {
                CommandContext.report(error, options: global)
                throw ExitCode(error.exitCode)
            }
        }

        // MARK: - Databases

        /// One side of the comparison.
        struct Endpoint {
            /// `staging (postgres://app:***@db/shop)` or the redacted URL.
            var label: String
            var name: String?
            var url: DatabaseURL
        }

        /// The configuration: required when an argument is an env name, defaults otherwise.
        func configuration() throws -> Configuration {
            let loader = ConfigurationLoader()
            let needsConfig = databases.contains { !Self.isURL($0) } || global.config != nil
            if needsConfig { return try loader.load(explicitPath: global.config) }
            let directory = FileManager.default.currentDirectoryPath
            if loader.find(from: directory) != nil { return try loader.load(explicitPath: nil) }
            return Configuration(file: nil, baseDirectory: directory)
        }

        static func isURL(_ text: String) -> Bool {
            text.contains("://") || ["sqlite:", "sqlite3:", "file:"].contains { text.lowercased().hasPrefix($0) }
        }

        func endpoint(_ argument: String, config: Configuration) throws -> Endpoint {
            if Self.isURL(argument) {
                let url = try DatabaseURL(argument)
                return Endpoint(label: url.redacted, name: nil, url: url)
            }
            let target = try ConfigurationLoader().target(in: config, env: argument, environment: ProcessInfo.processInfo.environment)
            return Endpoint(label: "\(argument) (\(target.url.redacted))", name: argument, url: target.url)
        }

        /// Opens the database, reads its schema and closes it.
        static func introspect(_ endpoint: Endpoint, options: IntrospectionOptions, context: CommandContext) async throws -> Schema {
            let url = endpoint.url
            if url.scheme.hasPrefix("sqlite") || url.scheme == "file", !url.isInMemory, !FileManager.default.fileExists(atPath: url.path) {
                // Opening would create an empty file and report every object as missing.
                throw CutoverError(
                    .unknownDatabase, "the SQLite database '\(url.path)' does not exist (\(endpoint.label))",
                    hint: "check the path; relative paths in cutover.toml are relative to the config file's folder")
            }
            let drivers: [any DatabaseDriver] = [
                SQLiteDriver(configuration: { var c = SQLiteDriver.Configuration(); c.busyTimeout = context.config.safety.lockWait; return c }()),
                PostgresDriver(configuration: { var c = PostgresDriver.Configuration(); c.connectTimeout = context.config.safety.connectTimeout; return c }()),
            ]
            guard let driver = drivers.first(where: { $0.schemes.contains(url.scheme) }) else {
                throw CutoverError(.invalidURL, "no driver for '\(url.scheme)' URLs in this version (\(endpoint.label))", hint: "use a sqlite: or postgres:// URL")
            }
            let database = try await driver.open(url, logger: context.logger)
            do {
                let schema = try await database.introspectSchema(options: options)
                await database.close()
                return schema
            } catch {
                await database.close()
                throw error
            }
        }

        // MARK: - Output

        func write(_ diff: SchemaDiff, script: SchemaScript?, from: Endpoint, to: Endpoint) {
            if global.json {
                Terminal.out(Self.json(diff, script: script, from: from, to: to).rendered())
                return
            }
            guard !global.quiet || script != nil else { return }
            if let script {
                var header = ["-- cutover diff: DDL that turns \(from.label) into \(to.label)"]
                header.append(diff.isEmpty ? "-- the schemas are identical: nothing to do" : "-- \(diff.summary)")
                if script.dropsData { header.append("-- WARNING: some statements drop data; read them before running this script") }
                Terminal.out(header.joined(separator: "\n") + (script.text.isEmpty ? "" : "\n\n" + script.text.trimmingCharacters(in: .newlines)))
                return
            }
            Terminal.out("--- \(from.label)\n+++ \(to.label)")
            if diff.isEmpty {
                Terminal.out("the schemas are identical")
            } else {
                Terminal.out(diff.text)
                Terminal.out(diff.summary.description)
            }
        }

        static func json(_ diff: SchemaDiff, script: SchemaScript?, from: Endpoint, to: Endpoint) -> JSON {
            func side(_ endpoint: Endpoint) -> JSON {
                .object([("env", .string(endpoint.name)), ("database", .string(endpoint.url.redacted))])
            }
            var members: [(String, JSON)] = [
                ("from", side(from)), ("to", side(to)), ("dialect", .string(diff.source.dialect)),
                ("identical", .bool(diff.isEmpty)),
                ("summary", .object([
                    ("added", .int(diff.summary.added)), ("removed", .int(diff.summary.removed)), ("changed", .int(diff.summary.changed)),
                ])),
                ("changes", .array(diff.changes.map { change in
                    .object([
                        ("action", .string(change.action.rawValue)), ("kind", .string(change.kind.rawValue)),
                        ("name", .string(change.name)), ("table", .string(change.table)), ("summary", .string(change.summary)),
                        ("properties", .array(change.properties.map { property in
                            .object([("property", .string(property.property)), ("from", .string(property.from)), ("to", .string(property.to))])
                        })),
                    ])
                })),
            ]
            if let script {
                members.append(("sql", .object([
                    ("text", .string(script.text)),
                    ("complete", .bool(script.isComplete)),
                    ("statements", .array(script.statements.map { statement in
                        .object([
                            ("sql", .string(statement.sql)), ("comments", .array(statement.comments.map { .string($0) })),
                            ("drops_data", .bool(statement.dropsData)), ("change", .string(statement.change)),
                        ])
                    })),
                    ("unsupported", .array(script.unsupported.map { .object([("change", .string($0.change)), ("reason", .string($0.reason))]) })),
                ])))
            }
            return .object(members)
        }
    }
}
