import ArgumentParser
import CutoverCore
import Foundation

/// A yes/no question on the terminal before a command changes something for good
/// (`rollback`, `db drop`); `--yes` skips it.
enum Confirmation {
    /// Refuses when standard input is not a terminal: a script must say `--yes`.
    /// - Throws: `CutoverError` `.invalidArgument` (exit 2) naming `command`, with `hint`.
    static func requireTerminal(command: String, hint: String) throws {
        guard isatty(0) == 1 else {
            throw CutoverError(.invalidArgument, "\(command) asks for confirmation, but standard input is not a terminal", hint: hint)
        }
    }

    /// Asks `question` (`[y/N]` is added); anything but `y`/`yes` prints `declined` and ends
    /// the command with exit 1.
    static func ask(_ question: String, declined: String) throws {
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            Terminal.err(declined)
            throw ExitCode(1)
        }
    }
}
