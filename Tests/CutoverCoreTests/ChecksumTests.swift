import Crypto
import CutoverCore
import Testing

@Suite struct ChecksumTests {
    private let unix = "-- cutover:up\nCREATE TABLE t (id int);\n-- cutover:down\nDROP TABLE t;\n"

    @Test("is the lowercase SHA-256 hex of an LF file")
    func plainSHA256() {
        #expect(Checksum.of(fileContents: unix) == SHA256.hex(unix.utf8))
        #expect(Checksum.of(fileContents: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("gives a CRLF checkout the same checksum as LF")
    func crlfEqualsLF() {
        let windows = unix.replacing("\n", with: "\r\n")
        #expect(windows != unix)
        #expect(Checksum.of(fileContents: windows) == Checksum.of(fileContents: unix))
    }

    @Test("treats a lone CR as a line ending")
    func loneCR() {
        let classicMac = unix.replacing("\n", with: "\r")
        #expect(Checksum.of(fileContents: classicMac) == Checksum.of(fileContents: unix))
    }

    @Test("ignores a leading UTF-8 byte-order mark")
    func byteOrderMark() {
        #expect(Checksum.of(fileContents: "\u{FEFF}" + unix) == Checksum.of(fileContents: unix))
        #expect(Checksum.of(fileContents: "\u{FEFF}" + unix.replacing("\n", with: "\r\n")) == Checksum.of(fileContents: unix))
    }

    @Test("keeps a byte-order mark that is not at the start")
    func innerByteOrderMark() {
        #expect(Checksum.of(fileContents: "a\u{FEFF}b") != Checksum.of(fileContents: "ab"))
    }

    @Test("changes when the SQL changes, including blank lines and trailing spaces")
    func detectsEdits() {
        let base = Checksum.of(fileContents: unix)
        #expect(Checksum.of(fileContents: unix.replacing("int", with: "bigint")) != base)
        #expect(Checksum.of(fileContents: unix + "\n") != base)
        #expect(Checksum.of(fileContents: unix.replacing(";\n", with: "; \n")) != base)
    }

    @Test("counts CR CR LF as two line endings, not one")
    func crcrlf() {
        #expect(Checksum.of(fileContents: "a\r\r\nb") == Checksum.of(fileContents: "a\n\nb"))
    }

    @Test("is 64 lowercase hex characters")
    func format() {
        let checksum = Checksum.of(fileContents: "SELECT 1;")
        #expect(checksum.count == 64)
        #expect(checksum.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
