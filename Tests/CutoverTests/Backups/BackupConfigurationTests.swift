import CutoverCore
import Testing

@Suite("[backup] in cutover.toml")
struct BackupConfigurationTests {
    private func parse(_ text: String) throws -> Configuration {
        try ConfigurationParser().parse(text + "\n[env.dev]\nurl = \"sqlite:dev.db\"\n", file: "/p/cutover.toml", baseDirectory: "/p")
    }

    @Test("without [backup], mode is off; with it, before, dir backups and keep all")
    func defaults() throws {
        let none = try parse("")
        #expect(none.backup.mode == .off)
        #expect(none.backupDirectory == "/p/backups")
        #expect(none.ignoredSettings.isEmpty)
        let section = try parse("[backup]")
        #expect(section.backup.mode == .before)
        #expect(section.backup.keep == nil)
    }

    @Test("mode, dir and keep are read")
    func values() throws {
        let config = try parse("[backup]\nmode = \"before-and-after\"\ndir = \"/var/backups/shop\"\nkeep = 20")
        #expect(config.backup.mode == .beforeAndAfter)
        #expect(config.backupDirectory == "/var/backups/shop")
        #expect(config.backup.keep == 20)
        #expect(try parse("[backup]\nmode = \"off\"\ndir = \"dumps\"").backupDirectory == "/p/dumps")
    }

    @Test("errors name the file, the line and the key", arguments: [
        ("[backup]\nmode = \"always\"", 2, "backup.mode"),
        ("[backup]\nmode = true", 2, "backup.mode"),
        ("[backup]\n\nkeep = 0", 3, "backup.keep"),
        ("[backup]\nkeep = \"5\"", 2, "backup.keep"),
        ("[backup]\ndir = \"\"", 2, "backup.dir"),
        ("[backup]\nretain = 5", 2, "retain"),
    ])
    func errors(text: String, line: Int, key: String) throws {
        let error = #expect(throws: CutoverError.self) { try parse(text) }
        #expect(error?.code == .invalidConfig)
        #expect(error?.file == "/p/cutover.toml")
        #expect(error?.line == line)
        #expect(error?.message.contains(key) == true, "\(error?.message ?? "")")
        #expect(error?.hint != nil)
    }
}
