import CutoverCore
import Foundation
import Testing

@Suite("ErrorDescription: Foundation's file errors as one readable sentence")
struct ErrorDescriptionTests {
    @Test("a write into a missing folder and a read of a missing file name the path and the reason, not NSCocoaErrorDomain")
    func fileErrors() throws {
        let missing = "/nonexistent-\(UUID().uuidString)"
        let write = #expect(throws: (any Error).self) { try "x".write(toFile: missing + "/file.txt", atomically: true, encoding: .utf8) }
        let writeText = try ErrorDescription.of(#require(write))
        #expect(!writeText.contains("NSCocoaErrorDomain") && !writeText.contains("Error Domain"), "\(writeText)")
        #expect(writeText.contains("file.txt") || writeText.contains(missing), "\(writeText)")

        let read = #expect(throws: (any Error).self) { try String(contentsOfFile: missing, encoding: .utf8) }
        let readText = try ErrorDescription.of(#require(read))
        #expect(!readText.contains("NSCocoaErrorDomain"), "\(readText)")
        #expect(readText.contains(missing), "\(readText)")
        #expect(readText.lowercased().contains("no such file"), "\(readText)")

        #expect(ErrorDescription.of(CutoverError(.ioFailed, "plain message")) == "plain message")
    }
}
