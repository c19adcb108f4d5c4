import Crypto

/// The checksum Cutover records for a migration file.
///
/// The history table stores this value when a migration is applied; `status` and
/// `validate` recompute it to find files that were edited afterwards. It must not change
/// when the same file is checked out on another platform, so line endings are normalised
/// (Git's `core.autocrlf` turns LF into CRLF on Windows) and a leading UTF-8 byte-order
/// mark (added by some Windows editors) is ignored.
///
/// ```swift
/// Checksum.of(fileContents: "SELECT 1;\r\n") == Checksum.of(fileContents: "SELECT 1;\n")  // true
/// ```
///
/// ## Topics
/// ### Computing
/// - ``of(fileContents:)``
public enum Checksum {
    /// The SHA-256 of the file's text, as 64 lowercase hex characters, after normalising
    /// line endings (CRLF and lone CR become LF) and dropping a leading UTF-8 BOM.
    ///
    /// Trailing whitespace and a missing final newline are *not* normalised: they are
    /// real edits, and Git preserves them across platforms.
    ///
    /// ```swift
    /// let checksum = Checksum.of(fileContents: "-- cutover:up\nCREATE TABLE t (id int);\n")
    /// ```
    ///
    /// - Parameter fileContents: The file's text as read from disk.
    /// - Returns: Lowercase hex SHA-256.
    public static func of(fileContents: String) -> String {
        SHA256.hex(normalizedBytes(fileContents))
    }

    /// The bytes that are hashed: UTF-8 with line endings normalised and no leading BOM.
    static func normalizedBytes(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var input = text.utf8[...]
        // U+FEFF encoded as UTF-8; Swift keeps it as an ordinary scalar in the String.
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input = input.dropFirst(3) }
        var previousWasCR = false
        for byte in input {
            switch byte {
            case 0x0D:
                out.append(0x0A)
                previousWasCR = true
            case 0x0A where previousWasCR:
                // The LF of a CRLF pair: the CR already produced the newline.
                previousWasCR = false
            default:
                out.append(byte)
                previousWasCR = false
            }
        }
        return out
    }
}
