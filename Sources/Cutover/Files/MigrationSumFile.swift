import CutoverCore
import Foundation

/// Reads and writes `cutover.sum` in a migrations folder (`MigrationSum`).
public enum MigrationSumFile {
    /// Writes the list of the folder's migration files.
    /// - Returns: what was written.
    /// - Throws: `CutoverError` `.ioFailed` when the folder cannot be read or the file written.
    @discardableResult
    public static func write(in folder: String) throws -> MigrationSum {
        let sum = MigrationSum(fileNames: try fileNames(in: folder))
        let path = (folder as NSString).appendingPathComponent(MigrationSum.fileName)
        do {
            try sum.text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CutoverError(.ioFailed, "cannot write \(path): \(ErrorDescription.of(error))", hint: "check the folder's permissions")
        }
        return sum
    }

    /// What is wrong with the folder's `cutover.sum`; nil when the folder has none.
    /// - Throws: `CutoverError` `.ioFailed` when the folder or the file cannot be read.
    public static func problems(in folder: String) throws -> [String]? {
        let path = (folder as NSString).appendingPathComponent(MigrationSum.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let written = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CutoverError(.ioFailed, "cannot read \(path)", hint: "check its permissions, or run `cutover sum` to write it again")
        }
        return MigrationSum(fileNames: try fileNames(in: folder)).problems(comparedWith: written)
    }

    private static func fileNames(in folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CutoverError(.missingMigrations, "cannot read the migrations folder '\(folder)'", hint: "create it, or run `cutover init`")
        }
    }
}
