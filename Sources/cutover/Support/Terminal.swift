import Foundation

/// Writes to stdout/stderr, with colour only when the stream is a terminal.
enum Terminal {
    static let stderrIsTTY = isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func red(_ text: String) -> String { stderrIsTTY ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    static func yellow(_ text: String) -> String { stderrIsTTY ? "\u{1B}[33m\(text)\u{1B}[0m" : text }
    static func green(_ text: String) -> String { stderrIsTTY ? "\u{1B}[32m\(text)\u{1B}[0m" : text }
    static func dim(_ text: String) -> String { stderrIsTTY ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
