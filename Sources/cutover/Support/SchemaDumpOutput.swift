import ArgumentParser
import Cutover
import CutoverCore

/// How commands show the schema file (`[dump] schema`) they wrote after changing the
/// database: `wrote schema.sql` on stderr as it happens, a `schema_dump` member in `--json`,
/// and exit 2 (`schema_dump_failed`) when it could not be written although the command's
/// changes stand.
extension CommandContext {
    /// The file as the user wrote it: `[dump] schema` from cutover.toml, or `--output`.
    func displayPath(_ result: Deployment.SchemaDumpResult) -> String { Self.displayPath(result, config: config) }

    static func displayPath(_ result: Deployment.SchemaDumpResult, config: Configuration) -> String {
        result.path == config.schemaDumpPath ? (config.dump.schema ?? result.path) : result.path
    }

    /// `{"path": …, "written": …, "applied": […]}`, or null when no file was written.
    func schemaDumpJSON(_ result: Deployment.SchemaDumpResult?) -> JSON {
        guard let result else { return .null }
        return .object([
            ("path", .string(displayPath(result))), ("written", .bool(result.written)),
            ("applied", .array(result.applied.map { .string($0.rawValue) })),
        ])
    }

    /// Prints a command's result (`value`, a JSON object, or `text`) with the schema file's
    /// outcome. When the file could not be written, the JSON says `"ok": false` with the
    /// error, the text is followed by `error:`/`hint:` on stderr, and the command exits 2.
    ///
    /// - Throws: `ExitCode` 2 when `error` is set.
    func outputWithSchemaDump(
        _ value: JSON, dump: Deployment.SchemaDumpResult?, error: CutoverError?, text: () -> Void
    ) throws {
        output(jsonWithSchemaDump(value, dump: dump, error: error), text: text)
        try failForSchemaDump(error)
    }

    /// `value` (a JSON object) with a `schema_dump` member; with `error`, `"ok": false` and
    /// the error's members.
    func jsonWithSchemaDump(_ value: JSON, dump: Deployment.SchemaDumpResult?, error: CutoverError?) -> JSON {
        var members: [(String, JSON)] = if case .object(let members) = value { members } else { [("result", value)] }
        members.append(("schema_dump", schemaDumpJSON(dump)))
        if let error {
            members = members.map { $0.0 == "ok" ? ("ok", .bool(false)) : $0 } + Self.errorMembers(Self.redacted(error))
        }
        return .object(members)
    }

    /// With `error`: `error:`/`hint:` on stderr (not with `--json`, whose object carries it),
    /// then exit 2.
    ///
    /// - Throws: `ExitCode` 2 when `error` is set.
    func failForSchemaDump(_ error: CutoverError?) throws {
        guard let error else { return }
        let redacted = Self.redacted(error)
        if !options.json {
            Terminal.err(Terminal.red("error: ") + redacted.description)
            if let hint = redacted.hint { Terminal.err(Terminal.yellow("hint: ") + hint) }
        }
        throw ExitCode(redacted.exitCode)
    }

    private static func redacted(_ error: CutoverError) -> CutoverError {
        var error = error
        error.message = DatabaseURL.redact(error.message)
        error.hint = error.hint.map(DatabaseURL.redact)
        return error
    }
}
