import CutoverCore

/// The cache file's format: a header naming the format and the build that wrote it, then one
/// record per migration file. Integers are little-endian; strings are a 32-bit byte count and
/// UTF-8 bytes. Decoding checks every length, and returns nil for anything unexpected (another
/// format, another build, a truncated file), which makes the caller parse the files. A
/// record's file name is its migration's `Migration.fileName`, stored once.
enum MigrationCacheCodec {
    static let magic = Array("cutover-migration-cache 3\n".utf8)

    static func encode(_ entries: [String: CachedMigrationFile], builtBy: String) -> [UInt8] {
        var out = Encoder()
        out.bytes.append(contentsOf: magic)
        out.string(builtBy)
        out.integer(UInt64(entries.count))
        for (fileName, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let identity = entry.identity
            let migration = entry.migration
            out.string(fileName)
            out.integer(identity.device)
            out.integer(identity.inode)
            out.integer(UInt64(bitPattern: identity.size))
            out.integer(UInt64(bitPattern: identity.modified.nanoseconds))
            out.integer(UInt64(bitPattern: identity.changed.nanoseconds))
            out.string(migration.id.rawValue)
            out.string(migration.name)
            out.string(migration.checksum)
            out.integer(migration.isTransactional ? 1 : 0)
            out.statements(migration.up)
            if let down = migration.down {
                out.integer(1)
                out.statements(down)
            } else {
                out.integer(0)
            }
            out.integer(UInt64(migration.allowances.count))
            for (line, rules) in migration.allowances.sorted(by: { $0.key < $1.key }) {
                out.integer(UInt64(line))
                out.integer(UInt64(rules.count))
                for rule in rules.sorted() { out.string(rule) }
            }
            // Draft (0 none, 1 blank up section, 2 marked) and its line, the intent of an
            // empty down section, and the marker lines (0: none).
            out.integer(migration.draft.map { $0.isMarked ? 2 : 1 } ?? 0)
            out.integer(UInt64(migration.draft?.line ?? 0))
            out.integer(migration.isDownEmptyByIntent ? 1 : 0)
            out.integer(UInt64(migration.upMarkerLine ?? 0))
            out.integer(UInt64(migration.downMarkerLine ?? 0))
        }
        return out.bytes
    }

    static func decode(_ bytes: [UInt8], builtBy: String) -> [String: CachedMigrationFile]? {
        var input = Decoder(bytes: bytes)
        guard input.take(magic.count).map(Array.init) == magic, input.string() == builtBy, let count = input.integer() else { return nil }
        var entries: [String: CachedMigrationFile] = [:]
        entries.reserveCapacity(Int(min(count, 100_000)))
        for _ in 0..<count {
            guard let fileName = input.string(),
                  let device = input.integer(), let inode = input.integer(), let size = input.integer(),
                  let modified = input.integer(), let changed = input.integer(),
                  let rawID = input.string(), let id = MigrationID(rawID), let name = input.string(),
                  let checksum = input.string(),
                  let transactional = input.integer(), let up = input.statements(), let hasDown = input.integer()
            else { return nil }
            var down: [SQLStatement]?
            if hasDown == 1 {
                guard let statements = input.statements() else { return nil }
                down = statements
            }
            guard let allowanceCount = input.integer(), allowanceCount <= input.remaining else { return nil }
            var allowances: [Int: Set<String>] = [:]
            for _ in 0..<allowanceCount {
                guard let line = input.integer(), line <= Int.max, let ruleCount = input.integer(), ruleCount <= input.remaining else { return nil }
                var rules = Set<String>()
                for _ in 0..<ruleCount {
                    guard let rule = input.string() else { return nil }
                    rules.insert(rule)
                }
                allowances[Int(line)] = rules
            }
            guard let draftKind = input.integer(), draftKind <= 2, let draftLine = input.integer(), draftLine <= Int.max,
                  let downEmpty = input.integer(), let upLine = input.integer(), upLine <= Int.max,
                  let downLine = input.integer(), downLine <= Int.max
            else { return nil }
            let identity = FileIdentity(
                device: device, inode: inode, size: Int64(bitPattern: size),
                modified: .init(nanoseconds: Int64(bitPattern: modified)), changed: .init(nanoseconds: Int64(bitPattern: changed)))
            let migration = Migration(
                id: id, name: name, fileName: fileName, up: up, down: down,
                isTransactional: transactional == 1, checksum: checksum, allowances: allowances,
                draft: draftKind == 0 ? nil : Migration.Draft(line: Int(draftLine), isMarked: draftKind == 2),
                isDownEmptyByIntent: downEmpty == 1, upMarkerLine: upLine == 0 ? nil : Int(upLine),
                downMarkerLine: downLine == 0 ? nil : Int(downLine))
            entries[fileName] = CachedMigrationFile(identity: identity, migration: migration)
        }
        return input.remaining == 0 ? entries : nil
    }

    private struct Encoder {
        var bytes: [UInt8] = []

        mutating func integer(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func string(_ value: String) {
            let utf8 = value.utf8
            integer(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }

        mutating func statements(_ statements: [SQLStatement]) {
            integer(UInt64(statements.count))
            for statement in statements {
                integer(UInt64(statement.line))
                string(statement.sql)
            }
        }
    }

    private struct Decoder {
        let bytes: [UInt8]
        var offset = 0

        var remaining: UInt64 { UInt64(bytes.count - offset) }

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func integer() -> UInt64? {
            guard bytes.count - offset >= 8 else { return nil }
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
        }

        mutating func string() -> String? {
            guard let length = integer(), length <= remaining else { return nil }
            let start = offset
            offset += Int(length)
            return bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<start + Int(length)]), as: UTF8.self) }
        }

        mutating func statements() -> [SQLStatement]? {
            guard let count = integer(), count <= remaining else { return nil }
            var statements: [SQLStatement] = []
            statements.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let line = integer(), line <= Int.max, let sql = string() else { return nil }
                statements.append(SQLStatement(sql: sql, line: Int(line)))
            }
            return statements
        }
    }
}
