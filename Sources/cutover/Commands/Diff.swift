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
            commandName: "diff",
            abstract: "Compare the schemas of two databases (env names or URLs), or one with its migrations (--against migrations); exit 3 when they differ.",
            discussion: """
                A and B are environment names from cutover.toml or database URLs (sqlite:PATH, \
                postgres://…); both must be the same kind of database. The changes are listed as \
                added (+), removed (-) and changed (~) objects going from A to B. With --sql, the \
                DDL that turns A into B is printed instead, in dependency order; statements that \
                lose data carry a WARNING comment, and changes the database cannot make in place \
                are listed as UNSUPPORTED. Cutover's own tables are left out unless --include-cutover.
                With --against migrations (and --env NAME, or the env as the one argument), the \
                environment's live schema is compared with the schema its applied migrations produce, \
                replayed on a scratch database (SQLite in memory; PostgreSQL a temporary database \
                <db>_cutover_scratch_<random> on the same server, always dropped): + objects exist only \
                in the database, - only in the migrations. That is drift.
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

        @Option(help: ArgumentHelp("Compare the environment (--env, or the one argument) with what its applied migrations produce: 'migrations'.", valueName: "migrations"))
        var against: String?

        func validate() throws {
            if let against {
                guard against == "migrations" else {
                    throw ValidationError("--against takes only 'migrations' (the schema the applied migrations produce), not '\(against)'; to compare two databases, run cutover diff A B")
                }
                guard databases.count <= 1 else {
                    throw ValidationError("--against migrations compares one environment: cutover diff --env NAME --against migrations, got \(databases.count) databases")
                }
                if databases.count == 1, let env = global.env, env != databases[0] {
                    throw ValidationError("--env \(env) and the argument '\(databases[0])' name two environments; --against migrations compares one")
                }
                return
            }
            guard databases.count == 2 else {
                throw ValidationError("diff compares two databases: cutover diff A B (env names or URLs), or cutover diff --env NAME --against migrations; got \(databases.count)")
            }
        }

        func run() async throws {
            if against != nil {
                try await runAgainstMigrations()
                return
            }
            let logger = CommandContext.makeLogger(global)
            do {
                let config = try configuration()
                let context = CommandContext(options: global, config: config, logger: logger)
                let from = try endpoint(databases[0], config: config)
                let to = try endpoint(databases[1], config: config)
                let options = IntrospectionOptions(includesCutoverObjects: includeCutover, schemas: schemas.isEmpty ? nil : schemas)
                async let fromSchema = Self.introspect(from, options: options, context: context)
                async let toSchema = Self.introspect(to, options: options, context: context)
                let ((source, dialect), (target, _)) = try await (fromSchema, toSchema)
                guard source.dialect == target.dialect else {
                    throw CutoverError(
                        .dialectMismatch, "cannot compare \(from.label) (\(source.dialect)) with \(to.label) (\(target.dialect))",
                        hint: "diff compares two databases of the same kind")
                }
                let diff = SchemaDiff(from: source, to: target)
                let script = sql ? try SchemaDiffOutput.liveScript(diff, dialect: dialect) : nil
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

        // MARK: - Drift: --against migrations

        /// The environment's live schema against the schema its applied migrations produce
        /// on a scratch database; exit 3 on drift.
        func runAgainstMigrations() async throws {
            try await CommandContext.run(global) { context in
                let target: Target
                if let name = databases.first {
                    guard !Self.isURL(name) else {
                        throw CutoverError(.invalidArgument, "--against migrations takes an environment name, not a URL", hint: "pass --env NAME (the migrations folder comes from cutover.toml)")
                    }
                    target = try context.selecting(env: name).target()
                } else {
                    target = try context.target()
                }
                context.announce(target)
                let introspection = IntrospectionOptions(includesCutoverObjects: includeCutover, schemas: schemas.isEmpty ? nil : schemas)
                let report = try await context.checkDrift(target, introspection: introspection)
                let script = sql ? try SchemaDiffOutput.liveScript(report.diff, dialect: report.dialect) : nil
                let count = report.applied.count
                let fromLabel = "migrations (the \(count) applied on \(target.environment))"
                let toLabel = "\(target.environment) (\(target.url.redacted))"
                if global.json {
                    let from: JSON = .object([("migrations", .array(report.applied.map { .string($0.rawValue) }))])
                    let to: JSON = .object([("env", .string(target.environment)), ("database", .string(target.url.redacted)), ("url_source", .string(target.source))])
                    var members = SchemaDiffOutput.members(report.diff, script: script, from: from, to: to)
                    members.insert(("against", .string("migrations")), at: 0)
                    members.append(("drift", .bool(report.hasDrift)))
                    members.append(("changed_files", .array(report.changed.map { .string($0.rawValue) })))
                    members.append(("partial", .array(report.partial.map { .string($0.rawValue) })))
                    Terminal.out(JSON.object(members).rendered())
                } else {
                    SchemaDiffOutput.print(report.diff, script: script, from: fromLabel, to: toLabel, quiet: global.quiet)
                    if !global.quiet {
                        if script == nil {
                            Terminal.out(report.hasDrift
                                ? "drift: \(target.environment) differs from its migrations (+ only in the database, - only in the migrations)"
                                : "no drift: \(target.environment) matches its \(count) applied migration\(count == 1 ? "" : "s")")
                        }
                        for note in DriftOutput.notes(report) { Terminal.err(Terminal.yellow("note: ") + note) }
                    }
                }
                if report.hasDrift { throw ExitCode(3) }
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

        /// Whether an argument is a URL rather than an environment name. Mistyped server URLs
        /// (`postgres:app:PW@host`, `postgresql//app:PW@host`) count as URLs, so that they are
        /// refused as URLs (exit 2, redacted) instead of being looked up as environments.
        static func isURL(_ text: String) -> Bool {
            let lowered = text.lowercased()
            return text.contains("://") || text.contains("@")
                || ["sqlite:", "sqlite3:", "file:", "postgres:", "postgresql:", "postgres/", "postgresql/", "mysql:", "mariadb:"].contains { lowered.hasPrefix($0) }
        }

        func endpoint(_ argument: String, config: Configuration) throws -> Endpoint {
            if Self.isURL(argument) {
                let url = try DatabaseURL(argument)
                return Endpoint(label: url.redacted, name: nil, url: url)
            }
            let target = try ConfigurationLoader().target(in: config, env: argument, environment: ProcessInfo.processInfo.environment)
            return Endpoint(label: "\(argument) (\(target.url.redacted))", name: argument, url: target.url)
        }

        /// Opens the database, reads its schema and closes it; the dialect writes its DDL.
        static func introspect(_ endpoint: Endpoint, options: IntrospectionOptions, context: CommandContext) async throws -> (Schema, any Dialect) {
            let url = endpoint.url
            if url.isLocalFile, !FileManager.default.fileExists(atPath: url.path) {
                // Opening would create an empty file and report every object as missing.
                throw CutoverError(
                    .unknownDatabase, "the SQLite database '\(url.path)' does not exist (\(endpoint.label))",
                    hint: "check the path; relative paths in cutover.toml are relative to the config file's folder")
            }
            return try await context.driver(for: url, label: endpoint.label).withSession(url, logger: context.logger) { database in
                (try await database.introspectSchema(options: options), database.dialect)
            }
        }

        // MARK: - Output

        func write(_ diff: SchemaDiff, script: SchemaScript?, from: Endpoint, to: Endpoint) {
            if global.json {
                Terminal.out(Self.json(diff, script: script, from: from, to: to).rendered())
                return
            }
            SchemaDiffOutput.print(diff, script: script, from: from.label, to: to.label, quiet: global.quiet)
        }

        static func json(_ diff: SchemaDiff, script: SchemaScript?, from: Endpoint, to: Endpoint) -> JSON {
            func side(_ endpoint: Endpoint) -> JSON {
                .object([("env", .string(endpoint.name)), ("database", .string(endpoint.url.redacted))])
            }
            return .object(SchemaDiffOutput.members(diff, script: script, from: side(from), to: side(to)))
        }
    }
}
