import CutoverCore

/// libFuzzer's entry point, called with each input: any bytes as `cutover.toml`. Parsing may fail with a
/// ``CutoverError``; it must never trap, hang or overflow the stack. A parsed configuration's
/// URLs and durations are then run through the code that reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let config = try? ConfigurationParser().parse(text, file: "cutover.toml", baseDirectory: "/project") else { return 0 }
    _ = config.migrationsDirectory
    _ = config.backupDirectory
    for environment in config.environments.values {
        let expanded = try? EnvironmentReferences.expand(
            environment.url, environment: ["DATABASE_URL": "postgres://u:p@h/db"], context: "env.\(environment.name).url",
            file: "cutover.toml", line: environment.line)
        if let expanded, let url = try? DatabaseURL(expanded) { _ = url.redacted }
    }
    // Every accepted duration fits the documented range.
    for duration in [config.safety.lockWait, config.safety.connectTimeout] + [config.safety.lockTimeout, config.safety.statementTimeout].compactMap({ $0 }) {
        precondition(duration >= .zero && duration <= DurationParser.maximum, "a duration outside the allowed range was accepted")
    }
    return 0
}
