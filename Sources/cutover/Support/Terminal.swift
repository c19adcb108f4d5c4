import Foundation

/// Writes to stdout/stderr, with colour only when the stream is a terminal.
enum Terminal {
    static let stderrIsTTY = isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func out(_ text: String) { emit(text, to: 1) }

    static func err(_ text: String) { emit(text, to: 2) }

    /// Rewrites the current line of stderr (a terminal's progress line): a carriage return,
    /// the text, and "clear to the end of the line", without a newline.
    static func errInPlace(_ text: String) {
        var line = "\r" + text + "\u{1B}[K"
        line.withUTF8 { bytes in _ = write(2, bytes.baseAddress!, bytes.count) }
    }

    /// `text` and a newline, with plain `write` calls (no `Data` on the way).
    private static func emit(_ text: String, to descriptor: Int32) {
        var line = text + "\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a closed pipe or full disk: nothing more to do with the output
                }
                offset += written
            }
        }
    }

    static func red(_ text: String) -> String { stderrIsTTY ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    static func yellow(_ text: String) -> String { stderrIsTTY ? "\u{1B}[33m\(text)\u{1B}[0m" : text }
    static func green(_ text: String) -> String { stderrIsTTY ? "\u{1B}[32m\(text)\u{1B}[0m" : text }
    static func dim(_ text: String) -> String { stderrIsTTY ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
