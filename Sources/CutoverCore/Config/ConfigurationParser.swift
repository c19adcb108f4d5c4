/// Turns the text of `cutover.toml` into a ``Configuration``, checking every key.
///
/// Unknown keys are errors (a typo such as `lock_timout` must not silently do nothing);
/// each error names the file, the line, the key and what is expected.
package struct ConfigurationParser: Sendable {
    package init() {}

    /// Parses `text` read from `file`, resolving relative paths against `baseDirectory`.
    /// - Throws: ``CutoverError`` `.invalidConfig`.
    package func parse(_ text: String, file: String, baseDirectory: String) throws -> Configuration {
        let root = try TOMLParser.parse(text, file: file)
        var config = Configuration(file: file, baseDirectory: baseDirectory)
        let checker = Checker(file: file)
        for entry in root.entries {
            switch entry.key {
            case "migrations":
                config.migrations = try checker.string(entry, key: "migrations")
            case "default_env":
                config.defaultEnv = try checker.string(entry, key: "default_env")
            case "safety":
                config.safety = try parseSafety(try checker.table(entry, key: "safety"), checker: checker)
            case "env":
                let envs = try checker.table(entry, key: "env")
                for envEntry in envs.entries {
                    let env = try parseEnvironment(envEntry, checker: checker, config: &config)
                    config.environments[env.name] = env
                }
            case "backup":
                config.backup = try parseBackup(try checker.table(entry, key: "backup"), line: entry.line, checker: checker)
            case "dump":
                config.dump = try parseDump(try checker.table(entry, key: "dump"), checker: checker)
            default:
                throw checker.unknownKey(entry, in: nil, known: ["migrations", "default_env", "[safety]", "[env.NAME]", "[backup]", "[dump]"])
            }
        }
        if let defaultEnv = config.defaultEnv, config.environments[defaultEnv] == nil {
            let line = root.entry("default_env")?.line
            throw CutoverError(
                .invalidConfig, "default_env = \"\(defaultEnv)\" names no [env.\(defaultEnv)] section",
                hint: "add [env.\(defaultEnv)] with a url, or change default_env to one of: \(config.environments.keys.sorted().joined(separator: ", "))",
                file: file, line: line)
        }
        return config
    }

    private func parseSafety(_ table: TOMLTable, checker: Checker) throws -> Configuration.Safety {
        var safety = Configuration.Safety()
        for entry in table.entries {
            switch entry.key {
            case "lock_timeout":
                // "off" (or "0") turns the default lock timeout off; require-lock-timeout then reports.
                if case .string(let text) = entry.value, ["off", "none"].contains(text.trimmingWhitespace().lowercased()) {
                    safety.lockTimeout = nil
                } else {
                    safety.lockTimeout = try checker.duration(entry, key: "safety.lock_timeout").nonZero
                }
                safety.lockTimeoutIsDefault = false
            case "small_table":
                safety.smallTableBytes = try checker.byteSize(entry, key: "safety.small_table")
            case "statement_timeout":
                safety.statementTimeout = try checker.duration(entry, key: "safety.statement_timeout").nonZero
            case "lock_retries":
                safety.lockRetries = try checker.integer(entry, key: "safety.lock_retries", range: 0...100)
            case "lock_wait":
                safety.lockWait = try checker.duration(entry, key: "safety.lock_wait")
            case "connect_timeout":
                safety.connectTimeout = try checker.duration(entry, key: "safety.connect_timeout")
            case "revert_window":
                safety.revertWindow = try checker.duration(entry, key: "safety.revert_window").nonZero
            case "index_build_workers":
                if case .string(let text) = entry.value, text.trimmingWhitespace().lowercased() == "server" {
                    safety.indexBuildWorkers = nil
                } else if case .string = entry.value {
                    throw checker.error(entry, key: "safety.index_build_workers", expected: "an integer or \"server\"")
                } else {
                    safety.indexBuildWorkers = try checker.integer(entry, key: "safety.index_build_workers", range: 0...64)
                }
            default:
                throw checker.unknownKey(
                    entry, in: "safety",
                    known: ["lock_timeout", "statement_timeout", "lock_retries", "lock_wait", "connect_timeout", "small_table", "revert_window", "index_build_workers"])
            }
        }
        return safety
    }

    private func parseBackup(_ table: TOMLTable, line: Int, checker: Checker) throws -> Configuration.Backup {
        var backup = Configuration.Backup()
        backup.mode = .before
        backup.line = line
        for entry in table.entries {
            switch entry.key {
            case "mode":
                let text = try checker.string(entry, key: "backup.mode")
                guard let mode = Configuration.Backup.Mode(rawValue: text) else {
                    throw CutoverError(
                        .invalidConfig, "'backup.mode' = \"\(text)\" is not a backup mode",
                        hint: "use one of: \(Configuration.Backup.Mode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))",
                        file: checker.file, line: entry.line)
                }
                backup.mode = mode
            case "dir":
                let directory = try checker.string(entry, key: "backup.dir")
                guard !directory.allSatisfy(\.isWhitespace) else {
                    throw CutoverError(.invalidConfig, "'backup.dir' is empty", hint: "for example: \(checker.example(for: "backup.dir"))", file: checker.file, line: entry.line)
                }
                backup.directory = directory
            case "keep":
                backup.keep = try checker.integer(entry, key: "backup.keep", range: 1...100_000)
            default:
                throw checker.unknownKey(entry, in: "backup", known: ["mode", "dir", "keep"])
            }
        }
        return backup
    }

    private func parseDump(_ table: TOMLTable, checker: Checker) throws -> Configuration.Dump {
        var dump = Configuration.Dump()
        for entry in table.entries {
            switch entry.key {
            case "schema":
                let path = try checker.string(entry, key: "dump.schema")
                guard !path.allSatisfy(\.isWhitespace) else {
                    throw CutoverError(.invalidConfig, "'dump.schema' is empty", hint: "for example: \(checker.example(for: "dump.schema")), or remove the key to write no schema file", file: checker.file, line: entry.line)
                }
                guard !path.hasSuffix("/") else {
                    throw CutoverError(.invalidConfig, "'dump.schema' = \"\(path)\" names a folder, not a file", hint: "for example: \(checker.example(for: "dump.schema"))", file: checker.file, line: entry.line)
                }
                dump.schema = path
                dump.line = entry.line
            default:
                throw checker.unknownKey(entry, in: "dump", known: ["schema"])
            }
        }
        return dump
    }

    private func parseEnvironment(_ entry: TOMLTable.Entry, checker: Checker, config: inout Configuration) throws -> Configuration.Environment {
        let table = try checker.table(entry, key: "env.\(entry.key)")
        var url: (String, Int)?
        var rehearse = false
        for item in table.entries {
            switch item.key {
            case "url":
                url = (try checker.string(item, key: "env.\(entry.key).url"), item.line)
            case "rehearse":
                guard case .bool(let value) = item.value else {
                    throw checker.error(item, key: "env.\(entry.key).rehearse", expected: "true or false")
                }
                rehearse = value
            case "replicas":
                config.ignoredSettings.append("env.\(entry.key).\(item.key) (line \(item.line)): not implemented in this version; it has no effect")
            default:
                throw checker.unknownKey(item, in: "env.\(entry.key)", known: ["url", "rehearse", "replicas"])
            }
        }
        guard let url else {
            throw CutoverError(
                .invalidConfig, "[env.\(entry.key)] has no url", hint: "add url = \"sqlite:\(entry.key).sqlite3\" or url = \"${DATABASE_URL}\"",
                file: checker.file, line: table.line)
        }
        var environment = Configuration.Environment(name: entry.key, url: url.0, line: url.1)
        environment.rehearse = rehearse
        return environment
    }
}

private struct Checker {
    let file: String

    func error(_ entry: TOMLTable.Entry, key: String, expected: String) -> CutoverError {
        CutoverError(
            .invalidConfig, "'\(key)' must be \(expected), not \(entry.value.typeName)",
            hint: "for example: \(example(for: key))", file: file, line: entry.line)
    }

    func example(for key: String) -> String {
        switch key.split(separator: ".").last ?? "" {
        case "lock_timeout", "statement_timeout", "lock_wait", "connect_timeout": "\(key.split(separator: ".").last!) = \"2s\""
        case "revert_window": "revert_window = \"30m\""
        case "index_build_workers": "index_build_workers = 0"
        case "lock_retries": "lock_retries = 5"
        case "small_table": "small_table = \"10MB\" (\"0\" lets no table through for its size)"
        case "url": "url = \"sqlite:dev.sqlite3\""
        case "migrations": "migrations = \"migrations\""
        case "default_env": "default_env = \"dev\""
        case "mode": "mode = \"before\" (or \"off\", \"before-and-after\")"
        case "dir": "dir = \"backups\""
        case "keep": "keep = 20"
        case "schema": "schema = \"schema.sql\""
        default: "[\(key)]"
        }
    }

    func string(_ entry: TOMLTable.Entry, key: String) throws -> String {
        guard case .string(let value) = entry.value else { throw error(entry, key: key, expected: "a string") }
        return value
    }

    func table(_ entry: TOMLTable.Entry, key: String) throws -> TOMLTable {
        guard case .table(let value) = entry.value else { throw error(entry, key: key, expected: "a table ([\(key)])") }
        return value
    }

    func integer(_ entry: TOMLTable.Entry, key: String, range: ClosedRange<Int>) throws -> Int {
        guard case .integer(let value) = entry.value else { throw error(entry, key: key, expected: "an integer") }
        guard range.contains(Int(value)) else {
            throw CutoverError(.invalidConfig, "'\(key)' = \(value) is out of range \(range.lowerBound)…\(range.upperBound)", hint: "for example: \(example(for: key))", file: file, line: entry.line)
        }
        return Int(value)
    }

    func duration(_ entry: TOMLTable.Entry, key: String) throws -> Duration {
        switch entry.value {
        case .integer(let milliseconds):
            guard let duration = DurationParser.milliseconds(milliseconds) else {
                throw outOfRange(entry, key: key, written: "\(milliseconds)")
            }
            return duration
        case .string(let text):
            switch DurationParser.parseChecked(text) {
            case .success(let duration):
                return duration
            case .failure(.outOfRange):
                throw outOfRange(entry, key: key, written: "\"\(text)\"")
            case .failure(.notADuration):
                throw CutoverError(
                    .invalidConfig, "'\(key)' = \"\(text)\" is not a duration",
                    hint: "write a number with a unit: \"500ms\", \"2s\", \"1min\" (\"0\" means no limit)", file: file, line: entry.line)
            }
        default:
            throw error(entry, key: key, expected: "a duration such as \"2s\"")
        }
    }

    func byteSize(_ entry: TOMLTable.Entry, key: String) throws -> Int64 {
        switch entry.value {
        case .integer(let bytes) where bytes >= 0:
            return Int64(bytes)
        case .string(let text):
            guard let bytes = ByteSize.parse(text) else {
                throw CutoverError(
                    .invalidConfig, "'\(key)' = \"\(text)\" is not a size",
                    hint: "write a number with a unit: \"512kB\", \"10MB\", \"1GB\" (\"0\" turns it off)", file: file, line: entry.line)
            }
            return bytes
        default:
            throw error(entry, key: key, expected: "a size such as \"10MB\"")
        }
    }

    private func outOfRange(_ entry: TOMLTable.Entry, key: String, written: String) -> CutoverError {
        CutoverError(
            .invalidConfig, "'\(key)' = \(written) is out of range \(DurationParser.allowedRange)",
            hint: "for example: \(example(for: key)) (\"0\" means no limit)", file: file, line: entry.line)
    }

    func unknownKey(_ entry: TOMLTable.Entry, in section: String?, known: [String]) -> CutoverError {
        let name = section.map { "[\($0)] \(entry.key)" } ?? entry.key
        return CutoverError(
            .invalidConfig, "unknown key '\(name)'", hint: "known keys here: \(known.joined(separator: ", "))",
            file: file, line: entry.line)
    }
}

extension Duration {
    /// nil for zero ("no limit"), else self.
    var nonZero: Duration? { self == .zero ? nil : self }
}
