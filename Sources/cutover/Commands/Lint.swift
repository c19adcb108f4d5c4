import ArgumentParser
import Cutover
import CutoverCore
import Foundation

extension CutoverCommand {
    /// `cutover lint [FILES…]`: static rules for statements that take strong locks, rewrite
    /// tables, fail, or break application nodes running the old code.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check migrations for statements that lock or rewrite tables, fail, or break old code. Exit 3 on error findings.",
            discussion: """
                Without FILES, lints every migration in the folder cutover.toml names, for the database of the \
                chosen env: in .yaml migrations, the SQL written by hand (a sql operation's up and down, a create_view's \
                query, a replace_function body in language sql), at the operation's line; not the statements Cutover \
                generates for the operations; and when the env's database answers, the pending .yaml migrations \
                planned against its tables (expand-contract-plan). FILES (.sql or .yaml files, or folders) need no cutover.toml and default to PostgreSQL. \
                `-- cutover:allow RULE` on the line above a statement accepts that finding. \
                lint needs no database and reports every finding; the lint gate of migrate, promote and \
                validate also knows the target, and lets through errors on tables created in the same run \
                or smaller than [safety] small_table there. \
                Exit codes: 0 no errors (warnings may be printed) · 2 bad input · 3 error findings.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github
        }

        enum DialectName: String, ExpressibleByArgument, CaseIterable {
            case postgresql, sqlite

            var dialect: any Dialect { self == .sqlite ? SQLiteDialect() : PostgresDialect() }

            init?(argument: String) {
                switch argument.lowercased() {
                case "postgresql", "postgres", "pg": self = .postgresql
                case "sqlite", "sqlite3": self = .sqlite
                default: return nil
                }
            }
        }

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("Migration files or folders (default: the migrations folder of cutover.toml).", valueName: "files"))
        var files: [String] = []

        @Option(help: "Output: text, json, or github (workflow annotations: ::error file=…,line=…,title=RULE::…).")
        var format: Format = .text

        @Option(help: ArgumentHelp("postgresql or sqlite (default: the env's database; PostgreSQL for FILES without cutover.toml).", valueName: "name"))
        var dialect: DialectName?

        @Option(help: ArgumentHelp("The PostgreSQL version migrations run on (15, 9.6, 150004); rules follow it. Default: the version of the env's server when cutover.toml names a PostgreSQL database that answers, else 13.", valueName: "version"))
        var postgresVersion: String?

        @Flag(help: "List the rules with their severities and exit.")
        var listRules = false

        func validate() throws {
            if global.json && format != .text && format != .json {
                throw ValidationError("--json and --format \(format.rawValue) contradict each other; pass one")
            }
            if let postgresVersion, Linter.Configuration.postgresVersionNumber(postgresVersion) == nil {
                throw ValidationError("--postgres-version expects a version such as 15, 9.6 or 150004, not '\(postgresVersion)'")
            }
        }

        private var outputFormat: Format { global.json ? .json : format }

        func run() async throws {
            if listRules { return printRules() }
            let input: Input
            do {
                input = try self.input()
            } catch let error as CutoverError {
                CommandContext.report(error, options: global)
                throw ExitCode(error.exitCode)
            }
            var configuration = input.configuration
            let version = await postgresVersion(for: input)
            configuration.postgresVersion = version.number
            let linter = Linter(configuration: configuration)
            let findings = Self.inIDOrder(
                Self.withFileChecks(linter.lint(input.migrations, dialect: input.dialect.dialect), of: input.migrations),
                ExpandContractLint.findings(of: input.expandContract, linter: linter, dialect: input.dialect.dialect)
                    // A PostgreSQL server that did not answer for its version is not asked again.
                    + (version.source == "assumed" ? [] : await planFindings(input.expandContract, config: input.config)))
            report(findings, files: input.migrations.count + input.expandContract.count, dialect: input.dialect, version: version)
            if findings.contains(where: { $0.severity == .error }) { throw ExitCode(3) }
        }

        /// `findings` with the file-level findings (``MigrationFileChecks``: drafts, migrations
        /// without statements, empty down sections) of `migrations`, by file then line.
        /// `validate` reports them the same way.
        static func withFileChecks(_ findings: [LintFinding], of migrations: [Migration], fileChecks: [LintFinding]? = nil) -> [LintFinding] {
            let fileChecks = fileChecks ?? migrations.flatMap(MigrationFileChecks.findings(for:))
            guard !fileChecks.isEmpty else { return findings }
            var position: [String: Int] = [:]
            for (index, migration) in migrations.enumerated() where position[migration.fileName] == nil { position[migration.fileName] = index }
            return (findings + fileChecks).enumerated().sorted { a, b in
                let (fileA, fileB) = (position[a.element.file] ?? 0, position[b.element.file] ?? 0)
                if fileA != fileB { return fileA < fileB }
                if a.element.line != b.element.line { return a.element.line < b.element.line }
                return a.offset < b.offset
            }.map(\.element)
        }

        // MARK: - Input

        /// What to lint, for which database, knowing what.
        private struct Input {
            var migrations: [Migration]
            /// The `.yaml` migrations: their hand-written SQL is linted (``ExpandContractLint``).
            var expandContract: [ExpandContractFile] = []
            var dialect: DialectName
            var configuration: Linter.Configuration
            var config: Configuration?
        }

        /// The PostgreSQL version the rules follow, and where it came from.
        struct LintedVersion {
            /// `server_version_num`; nil for SQLite.
            var number: Int?
            /// `option`, `server` or `assumed`.
            var source: String

            /// `PostgreSQL 15.4 (the server of env dev)`, for the summary line.
            var description: String {
                guard let number else { return "sqlite" }
                let text = number >= 10_00_00 ? "\(number / 10000).\(number % 10000)" : "\(number / 10000).\(number / 100 % 100)"
                switch source {
                case "server": return "postgresql \(text) (the target server's version)"
                case "option": return "postgresql \(text) (--postgres-version)"
                default: return "postgresql \(text) (assumed; pass --postgres-version)"
                }
            }
        }

        /// `--postgres-version`; else, when cutover.toml names a PostgreSQL database for the
        /// chosen env, that server's version (one short session); else 13. A server that does not
        /// answer costs a warning, never the lint.
        private func postgresVersion(for input: Input) async -> LintedVersion {
            guard input.dialect == .postgresql else { return LintedVersion(number: nil, source: "sqlite") }
            if let option = postgresVersion.flatMap(Linter.Configuration.postgresVersionNumber) {
                return LintedVersion(number: option, source: "option")
            }
            let assumed = LintedVersion(number: Linter.Configuration.assumedPostgresVersion, source: "assumed")
            guard let config = input.config,
                let deployment = try? Deployment(
                    config: config, environment: global.env, drivers: CommandContext.linkedDrivers, logger: CommandContext.makeLogger(global)),
                (try? deployment.driver(for: deployment.target.url))?.dialect.name == DialectName.postgresql.rawValue
            else { return assumed }
            do {
                guard let number = try await deployment.withSession({ $0.serverVersion }) else { return assumed }
                return LintedVersion(number: number, source: "server")
            } catch {
                if !global.quiet {
                    let reason = (error as? CutoverError)?.message ?? ErrorDescription.of(error)
                    Terminal.err(Terminal.yellow("warning: ") + "could not read the server version of env \(deployment.target.environment) (\(reason)); linting for PostgreSQL 13")
                    Terminal.err(Terminal.yellow("hint: ") + "pass --postgres-version to lint for another version without a connection")
                }
                return assumed
            }
        }

        private func input() throws -> Input {
            let config = try loadConfiguration()
            if !global.quiet, let config { for ignored in config.ignoredSettings { Terminal.err(Terminal.yellow("warning: ") + ignored) } }
            let version = postgresVersion.flatMap(Linter.Configuration.postgresVersionNumber)
            return Input(
                migrations: files.isEmpty ? try folderMigrations(config) : try fileMigrations(),
                expandContract: files.isEmpty ? try Self.folderExpandContract(config?.migrationsDirectory) : try fileExpandContract(),
                dialect: try dialect ?? config.flatMap { try Self.dialect(of: $0, env: global.env) } ?? .postgresql,
                // Without cutover.toml, the files are judged as Cutover runs them by default
                // (a 2 s lock timeout): require-lock-timeout reports only a timeout turned off.
                configuration: Linter.Configuration(safety: config?.safety ?? Configuration.Safety(), postgresVersion: version),
                config: config)
        }

        /// cutover.toml: required without FILES; with FILES, read when `--config` names one
        /// or one is found, for its lock_timeout and database.
        private func loadConfiguration() throws -> Configuration? {
            let loader = ConfigurationLoader()
            if files.isEmpty || global.config != nil { return try loader.load(explicitPath: global.config) }
            guard loader.find(from: FileManager.default.currentDirectoryPath) != nil else { return nil }
            return try loader.load(explicitPath: nil)
        }

        /// The database kind of the env `--env`, `DATABASE_URL` or `default_env` chooses.
        /// Linting needs no connection, so a URL that cannot be resolved here (an unset
        /// `${VAR}` in CI) is judged by how it is written, and nil means "unknown".
        private static func dialect(of config: Configuration, env: String?) throws -> DialectName? {
            if let env, config.environments[env] == nil {
                throw CutoverError(
                    .invalidConfig, "unknown environment '\(env)'",
                    hint: "known environments: \(config.environments.keys.sorted().joined(separator: ", "))", file: config.file)
            }
            let scheme: String
            if let target = try? ConfigurationLoader().target(in: config, env: env, environment: ProcessInfo.processInfo.environment) {
                scheme = target.url.scheme
            } else if let name = env ?? config.defaultEnv, let written = config.environments[name]?.url {
                scheme = String(written.prefix { $0 != ":" })
            } else {
                return nil
            }
            // The driver that would serve the URL says how its SQL is written.
            guard let driver = CommandContext.linkedDrivers.first(where: { $0.schemes.contains(scheme) }) else { return .postgresql }
            return DialectName(rawValue: driver.dialect.name) ?? .postgresql
        }

        private func folderMigrations(_ config: Configuration?) throws -> [Migration] {
            guard let config else { return [] }
            let folder = config.migrationsDirectory
            return try MigrationDirectory(path: folder).load().map { Self.renamed($0, to: Self.displayPath(folder, $0.fileName)) }
        }

        /// Each argument: a folder (its migrations, in id order) or a `.sql` file, which need
        /// not be named like a migration.
        private func fileMigrations() throws -> [Migration] {
            var migrations: [Migration] = []
            for path in files {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CutoverError(.invalidArgument, "'\(path)' does not exist", hint: "pass .sql files or folders of migrations")
                }
                if isDirectory.boolValue {
                    migrations += try MigrationDirectory(path: path).load().map { Self.renamed($0, to: Self.displayPath(path, $0.fileName)) }
                    continue
                }
                if ExpandContractFile.isExpandContractFileName(path) { continue }
                let contents = try RegularFile.readText(path, code: .invalidMigration)
                let baseName = (path as NSString).lastPathComponent
                // Any .sql file can be linted; a name that is not <id>_<name>.sql gets id 0.
                let parseName = MigrationFileParser.parseFileName(baseName) != nil ? baseName : "0_file.sql"
                do {
                    migrations.append(Self.renamed(try MigrationFileParser().parse(fileName: parseName, contents: contents), to: path))
                } catch var error as CutoverError {
                    error.file = path
                    throw error
                }
            }
            return migrations
        }

        private static func renamed(_ migration: Migration, to fileName: String) -> Migration {
            migration.renamed(to: fileName)
        }

        /// `folder/name`, relative to the working directory when inside it, so editors and
        /// GitHub annotations find the file.
        static func displayPath(_ folder: String, _ name: String) -> String {
            let path = (folder as NSString).appendingPathComponent(name)
            let cwd = FileManager.default.currentDirectoryPath
            let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
            return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
        }

        // MARK: - Output

        private func report(_ findings: [LintFinding], files: Int, dialect: DialectName, version: LintedVersion) {
            switch outputFormat {
            case .json:
                Terminal.out(Self.json(findings, files: files, dialect: dialect, version: version).rendered())
            case .github:
                for finding in findings where !global.quiet || finding.severity == .error { Terminal.out(finding.githubAnnotation) }
                if !global.quiet { Terminal.err("\(Self.fileCount(files)) linted for \(version.description): \(LintFinding.summary(of: findings))") }
            case .text:
                for finding in findings where !global.quiet || finding.severity == .error { Terminal.out(finding.renderedText() + "\n") }
                if !global.quiet { Terminal.out("\(Self.fileCount(files)) linted for \(version.description): \(LintFinding.summary(of: findings))") }
            }
        }

        private static func fileCount(_ count: Int) -> String { "\(count) file\(count == 1 ? "" : "s")" }

        /// `{"ok", "dialect", "postgres_version", "postgres_version_source", "files", "errors",
        /// "warnings", "notes", "findings": [...]}`.
        static func json(_ findings: [LintFinding], files: Int, dialect: DialectName, version: LintedVersion) -> JSON {
            let errors = findings.filter { $0.severity == .error }.count
            let notes = findings.filter { $0.severity == .note }.count
            return .object([
                ("ok", .bool(errors == 0)), ("dialect", .string(dialect.rawValue)),
                ("postgres_version", .int(version.number)), ("postgres_version_source", .string(version.number == nil ? nil : version.source)),
                ("files", .int(files)),
                ("errors", .int(errors)), ("warnings", .int(findings.count - errors - notes)), ("notes", .int(notes)),
                ("findings", .array(findings.map(json))),
            ])
        }

        /// One finding as JSON; `validate` and `migrate` can print findings the same way.
        static func json(_ finding: LintFinding) -> JSON {
            .object([
                ("rule", .string(finding.rule)), ("severity", .string(finding.severity.rawValue)), ("file", .string(finding.file)),
                ("line", .int(finding.line)), ("migration", .string(finding.migrationID.rawValue)), ("statement", .string(finding.statement)),
                ("message", .string(finding.message)), ("lock", .string(finding.lock)), ("why", .string(finding.why)),
                ("safe_rewrite", .string(finding.safeRewrite)), ("harmless_because", .string(finding.harmlessBecause)),
            ])
        }

        private func printRules() {
            let rules = Linter.rules
            if outputFormat == .json {
                Terminal.out(JSON.array(rules.map {
                    .object([("id", .string($0.id)), ("severity", .string($0.severity.rawValue)), ("sqlite", .bool($0.appliesToSQLite)),
                             ("summary", .string($0.summary))])
                }).rendered())
                return
            }
            let width = rules.map(\.id.count).max() ?? 0
            for rule in rules {
                Terminal.out("\(rule.id.padding(width))  \(rule.severity.rawValue.padding(7))  \(rule.appliesToSQLite ? "pg+sqlite" : "pg       ")  \(rule.summary)")
            }
        }
    }
}
