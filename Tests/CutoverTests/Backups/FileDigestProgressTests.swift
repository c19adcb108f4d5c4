@testable import Cutover
import CutoverCore
import CutoverTestSupport
import Foundation
import Testing

/// Hashing a backup of gigabytes takes seconds: it reports how far it has got instead of
/// passing them in silence.
@Suite("the checksum of a backup file reports its progress")
struct FileDigestProgressTests {
    @Test("every chunk hashed is reported, with the file's size; the digest is the file's SHA-256")
    func reportsBytesHashed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 3.5 MiB: four 1 MiB reads, the last one short.
        let size = 3 * (1 << 20) + (1 << 19)
        let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let path = directory.path("backup.dump")
        try data.write(to: URL(fileURLWithPath: path))
        let seen = ProgressLog()
        // An interval of zero: every chunk is reported, so the test needs no clock.
        let digest = try await FileDigest.sha256(ofFileAt: path, progress: ProgressReporter(interval: .zero) { seen.append($0) })
        let reports = seen.all
        #expect(reports.map(\.bytes) == [1 << 20, 2 << 20, 3 << 20, Int64(size)])
        #expect(reports.allSatisfy { $0.operation == "checksum" && $0.bytesTotal == Int64(size) })
        // The same digest as coreutils computes.
        let sha256sum = Process()
        sha256sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha256sum.arguments = [path]
        let output = Pipe()
        sha256sum.standardOutput = output
        try sha256sum.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sha256sum.waitUntilExit()
        #expect(printed.hasPrefix(digest + " "), "\(printed)")
    }
}
