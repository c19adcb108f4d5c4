import Crypto

/// Turns the text of a `.sql` migration file into a ``Migration``.
///
/// A file is named `<id>_<name>.sql` and divided by directive comments, each alone on its
/// line:
///
/// ```sql
/// -- cutover:no-transaction
/// -- cutover:up
/// CREATE INDEX CONCURRENTLY users_email ON users (email);
/// -- cutover:down
/// DROP INDEX CONCURRENTLY users_email;
/// ```
///
/// - `-- cutover:up` starts the statements to apply. A file without it is all up, with no
///   down section. An up section holding only comments is a no-op: applying it runs nothing
///   and records the migration as applied (``Migration/isNoOp``). A blank one (no statement,
///   no comment) is a draft.
/// - `-- cutover:down` starts the rollback; absent means the migration cannot be rolled back
///   (``Migration/down`` is nil). A down section without statements, below an up section
///   that has some, is refused by `rollback` unless it is written `-- cutover:down empty`:
///   "rolling back intentionally runs nothing" (``Migration/isDownEmptyByIntent``).
/// - `-- cutover:draft` (anywhere, usually the first line, as `cutover new` writes it) marks
///   a file that is not written yet: `migrate` stops before it (``Migration/draft``).
/// - `-- cutover:no-transaction` (before `-- cutover:down`) runs the migration outside a
///   transaction, which `CREATE INDEX CONCURRENTLY` and `VACUUM` require.
/// - `-- cutover:allow RULE` (several ids may be separated by commas or blanks) silences a
///   lint rule for the statement right below it; other comment lines may sit in between,
///   a blank line may not. The parser records it in ``Migration/allowances``.
///
/// Directives are case-insensitive and may have spaces after `--`. Any other
/// `-- cutover:…` line is an error, so a typo such as `-- cutover:dwon` cannot silently
/// turn a rollback into part of the up section. Directives are recognised line by line,
/// like goose and dbmate do, even inside a block comment or dollar-quoted body.
///
/// ```swift
/// let migration = try MigrationFileParser().parse(fileName: "20261124120000_create_users.sql", contents: text)
/// ```
///
/// ## Topics
/// ### Parsing
/// - ``init()``
/// - ``parseFileName(_:)``
/// - ``parse(fileName:contents:)``
package struct MigrationFileParser: Sendable {
    /// Creates a parser.
    package init() {}

    /// Splits a migration file name into its id and name.
    ///
    /// The name is `<digits>_<name>.sql`, where the name is letters (ASCII or Unicode),
    /// digits, `_`, `-` and `.`. Anything else (`README.md`, `1.sql`, `_x.sql`, `abc.sql`) is not a migration
    /// file, and the caller may skip it.
    ///
    /// ```swift
    /// MigrationFileParser.parseFileName("007_add_email.sql")   // (id: 007, name: "add_email")
    /// MigrationFileParser.parseFileName("notes.sql")           // nil
    /// ```
    ///
    /// - Parameter fileName: A file name without directory.
    /// - Returns: The id and name, or nil when `fileName` is not a migration file name.
    package static func parseFileName(_ fileName: String) -> (id: MigrationID, name: String)? {
        let bytes = Array(fileName.utf8)
        let suffix = Array(".sql".utf8)
        guard bytes.count > suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let stem = bytes.dropLast(suffix.count)
        guard let underscore = stem.firstIndex(of: UInt8(ascii: "_")), underscore > stem.startIndex else {
            return nil
        }
        let digits = stem[..<underscore]
        let name = stem[(underscore + 1)...]
        guard !name.isEmpty, isValidName(name),
            let id = MigrationID(String(decoding: digits, as: UTF8.self))
        else { return nil }
        return (id, String(decoding: name, as: UTF8.self))
    }

    /// Parses a migration file.
    ///
    /// Line endings are normalised (CRLF and CR become LF) and a leading byte-order mark is
    /// dropped before parsing, so statements are the same on every platform. Statement
    /// lines are lines of the file.
    ///
    /// ```swift
    /// let migration = try MigrationFileParser().parse(
    ///     fileName: "1_create_users.sql",
    ///     contents: "-- cutover:up\nCREATE TABLE users (id int);\n-- cutover:down\nDROP TABLE users;\n")
    /// migration.up.count     // 1
    /// migration.down?.count  // 1
    /// ```
    ///
    /// - Parameters:
    ///   - fileName: The file name (`<id>_<name>.sql`), or a path whose last component is one;
    ///     kept as given in ``Migration/fileName`` and in errors.
    ///   - contents: The file's text.
    /// - Returns: The migration, with its checksum from ``Checksum/of(fileContents:)``.
    /// - Throws: ``CutoverError`` with code ``CutoverError/Code/invalidMigration``, the file
    ///   and line, when the name is not a migration file name, a directive is unknown,
    ///   misplaced or repeated, SQL comes before `-- cutover:up`, a down section marked
    ///   `empty` has statements, or a section cannot be split (see
    ///   ``SQLSplitter/split(_:startingLine:file:)``). An up section without statements is no
    ///   error: it is a no-op, or a draft when it is blank.
    package func parse(fileName: String, contents: String) throws -> Migration {
        let baseName = fileName.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? fileName
        guard let (id, name) = Self.parseFileName(baseName) else {
            throw CutoverError(
                .invalidMigration, "\"\(baseName)\" is not a migration file name",
                hint: "name migration files <id>_<name>.sql, e.g. 20261124120000_create_users.sql",
                file: fileName)
        }
        // Work on bytes: splitting a String into Character lines costs more than the
        // whole SQL split (grapheme breaking), and every delimiter here is ASCII.
        let bytes = Checksum.normalizedBytes(contents)
        try Self.rejectNUL(in: bytes, fileName: fileName)
        var lines: [Range<Int>] = []  // each line's bytes, without its LF
        var lineStart = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(lineStart..<index)
            lineStart = index + 1
        }
        lines.append(lineStart..<bytes.count)
        let layout = try Layout(lines: lines.map { bytes[$0] }, fileName: fileName)

        let splitter = SQLSplitter()
        func section(_ range: Range<Int>) throws -> [SQLStatement] {
            guard let first = range.first else { return [] }
            let text = String(decoding: bytes[lines[first].lowerBound..<lines[range.upperBound - 1].upperBound], as: UTF8.self)
            return try splitter.split(text, startingLine: first + 1, file: fileName)
        }

        let up: [SQLStatement]
        var down: [SQLStatement]?
        let upRange: Range<Int>
        if let upLine = layout.up {
            if let first = try section(0..<upLine).first {
                throw CutoverError(
                    .invalidMigration, "SQL before -- cutover:up",
                    hint: "move the statement below `-- cutover:up`; only comments and directives may precede it",
                    file: fileName, line: first.line)
            }
            upRange = (upLine + 1)..<(layout.down ?? lines.count)
            up = try section(upRange)
            if let downLine = layout.down { down = try section((downLine + 1)..<lines.count) }
        } else {
            upRange = 0..<lines.count
            up = try section(upRange)
        }
        if layout.downIsEmpty, let first = down?.first {
            throw CutoverError(
                .invalidMigration, "the down section is marked `-- cutover:down empty` but has a statement",
                hint: "remove `empty` from the `-- cutover:down` line (line \(layout.down! + 1)) to run the statements on rollback, or remove the statements",
                file: fileName, line: first.line)
        }
        // A blank up section (no statement, no comment) is what `cutover new` leaves before it
        // is written: a draft, never applied as a no-op by accident.
        var draft = layout.draft.map { Migration.Draft(line: $0 + 1, isMarked: true) }
        if draft == nil, up.isEmpty, !upRange.contains(where: { Layout.isWritten(bytes[lines[$0]]) }) {
            draft = Migration.Draft(line: layout.up.map { $0 + 1 } ?? 1, isMarked: false)
        }
        return Migration(
            id: id, name: name, fileName: fileName, up: up, down: down,
            // Checksum.of(fileContents:) hashes exactly these normalised bytes.
            isTransactional: !layout.noTransaction, checksum: SHA256.hex(bytes),
            allowances: layout.allowances(for: up + (down ?? []), lines: lines.map { bytes[$0] }),
            draft: draft, isDownEmptyByIntent: layout.downIsEmpty,
            upMarkerLine: layout.up.map { $0 + 1 }, downMarkerLine: layout.down.map { $0 + 1 })
    }

    /// Throws when `bytes` hold a NUL byte: no SQL text has one, SQLite would stop reading the
    /// statement there (and silently apply nothing), and PostgreSQL's protocol cannot carry it.
    private static func rejectNUL(in bytes: [UInt8], fileName: String) throws {
        guard let position = bytes.firstIndex(of: 0) else { return }
        let line = 1 + bytes[..<position].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        throw CutoverError(
            .invalidMigration, "the file contains a NUL byte (\\0), which is not SQL text",
            hint: "remove the NUL byte; save the file as UTF-8 text", file: fileName, line: line)
    }

    /// The name part of a new migration file for a description such as "Add email to users"
    /// or "ünïcödé name": lowercased letters and digits (Unicode ones kept), every other run
    /// of characters one `_`. Always a name ``parseFileName(_:)`` accepts, or empty when
    /// `description` has no letters or digits.
    ///
    /// ```swift
    /// MigrationFileParser.fileNameSlug("Add email to users")  // "add_email_to_users"
    /// MigrationFileParser.fileNameSlug("ünïcödé name")        // "ünïcödé_name"
    /// ```
    package static func fileNameSlug(_ description: String) -> String {
        let mapped = description.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let slug = String(mapped).split(separator: "_", omittingEmptySubsequences: true).joined(separator: "_")
        if isValidName(Array(slug.utf8)[...]) { return slug }
        // Rare mixes of combining marks can merge with `_` into a character that is no letter:
        // keep only ASCII letters and digits then.
        let ascii = slug.unicodeScalars.map { $0.isASCII && isNameByte(UInt8($0.value)) && $0 != "." && $0 != "-" ? Character($0) : "_" }
        return String(ascii).split(separator: "_", omittingEmptySubsequences: true).joined(separator: "_")
    }

    /// Whether the name part of a file name is acceptable: ASCII letters, digits, `_`, `-`
    /// and `.`, and Unicode letters and digits (what `cutover new` keeps of a name such as
    /// "ünïcödé name").
    private static func isValidName(_ name: ArraySlice<UInt8>) -> Bool {
        if name.allSatisfy(isNameByte) { return true }
        guard let text = String(validating: name, as: UTF8.self) else { return false }
        return text.allSatisfy { character in
            if let ascii = character.asciiValue { return isNameByte(ascii) }
            return character.isLetter || character.isNumber
        }
    }

    /// `[A-Za-z0-9_.-]`.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}

// MARK: - Directives

extension MigrationFileParser {
    /// Where the directives are: 0-based line indexes of the markers.
    private struct Layout {
        var up: Int?
        var down: Int?
        var noTransaction = false
        /// The first `-- cutover:draft` line.
        var draft: Int?
        /// The down marker reads `-- cutover:down empty`.
        var downIsEmpty = false
        /// The rule ids of each `-- cutover:allow` line, by 0-based line index.
        var allowed: [Int: [String]] = [:]

        static let validDirectives =
            "Valid directives are `-- cutover:up`, `-- cutover:down` (or `-- cutover:down empty`), `-- cutover:no-transaction`, `-- cutover:draft` and `-- cutover:allow RULE`."

        init(lines: [ArraySlice<UInt8>], fileName: String) throws {
            func fail(_ message: String, _ index: Int, hint: String) -> CutoverError {
                CutoverError(.invalidMigration, message, hint: hint, file: fileName, line: index + 1)
            }
            for (index, line) in lines.enumerated() {
                guard let (directive, argument) = Self.directive(in: line) else { continue }
                switch directive {
                case "down" where argument.lowercased() == "empty":
                    downIsEmpty = true
                case "down":
                    guard argument.isEmpty else {
                        throw fail(
                            "unexpected text after -- cutover:down: \"\(argument)\"", index,
                            hint: "write `-- cutover:down` alone on its line, or `-- cutover:down empty` for a rollback that intentionally runs nothing")
                    }
                case "up", "no-transaction", "draft":
                    guard argument.isEmpty else {
                        throw fail(
                            "unexpected text after -- cutover:\(directive): \"\(argument)\"", index,
                            hint: "a directive must be alone on its line; put remarks on a separate comment line")
                    }
                case "allow":
                    guard !argument.isEmpty else {
                        throw fail(
                            "-- cutover:allow needs a lint rule id", index,
                            hint: "write `-- cutover:allow RULE`, naming the rule `cutover lint` reported")
                    }
                default:
                    throw fail("unknown directive -- cutover:\(directive)", index, hint: Self.validDirectives)
                }
                switch directive {
                case "up":
                    if let first = up {
                        throw fail(
                            "duplicate -- cutover:up (the first is on line \(first + 1))", index,
                            hint: "a migration has one up section; remove one of the markers")
                    }
                    if let downLine = down {
                        throw fail(
                            "-- cutover:up after -- cutover:down (line \(downLine + 1))", index,
                            hint: "put the up section first, then the down section")
                    }
                    up = index
                case "down":
                    if let first = down {
                        throw fail(
                            "duplicate -- cutover:down (the first is on line \(first + 1))", index,
                            hint: "a migration has one down section; remove one of the markers")
                    }
                    down = index
                case "no-transaction":
                    if let downLine = down {
                        throw fail(
                            "-- cutover:no-transaction inside the down section (which starts on line \(downLine + 1))",
                            index,
                            hint: "put it in the header or the up section; it applies to the whole migration, up and down")
                    }
                    noTransaction = true
                case "draft":
                    if draft == nil { draft = index }
                default:
                    allowed[index] = argument.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
                        .map { $0.lowercased() }
                }
            }
            if let downLine = down, up == nil {
                throw fail(
                    "-- cutover:down without -- cutover:up", downLine,
                    hint: "add `-- cutover:up` above the statements to apply")
            }
        }

        /// Recognises `--`, optional blanks, `cutover:` (any case), a directive name and an
        /// optional argument, alone on the line. Returns the lowercased name and the argument.
        static func directive(in line: ArraySlice<UInt8>) -> (name: String, argument: String)? {
            var rest = line.drop(while: isBlank)
            guard rest.starts(with: "--".utf8) else { return nil }
            rest = rest.dropFirst(2).drop(while: isBlank)
            let prefix = "cutover:".utf8
            guard rest.count >= prefix.count,
                zip(rest.prefix(prefix.count), prefix).allSatisfy({ lowercased($0) == $1 })
            else { return nil }
            rest = rest.dropFirst(prefix.count).drop(while: isBlank)
            let name = rest.prefix(while: { !isBlank($0) })
            let argument = rest.dropFirst(name.count).drop(while: isBlank)
            var end = argument.endIndex
            while end > argument.startIndex, isBlank(argument[end - 1]) { end -= 1 }
            let trimmedArgument = argument[..<end]
            return (
                String(decoding: name, as: UTF8.self).lowercased(),
                String(decoding: trimmedArgument, as: UTF8.self)
            )
        }

        /// The `-- cutover:allow` rule ids standing above each statement: those on the run of
        /// `--` comment lines that ends on the line before the statement's first token.
        func allowances(for statements: [SQLStatement], lines: [ArraySlice<UInt8>]) -> [Int: Set<String>] {
            guard !allowed.isEmpty else { return [:] }
            var result: [Int: Set<String>] = [:]
            for statement in statements {
                var index = statement.line - 2
                var rules: Set<String> = []
                while index >= 0, lines[index].drop(while: Self.isBlank).starts(with: "--".utf8) {
                    rules.formUnion(allowed[index] ?? [])
                    index -= 1
                }
                if !rules.isEmpty { result[statement.line, default: []].formUnion(rules) }
            }
            return result
        }

        /// Whether `line` holds something a person wrote: text other than blanks and
        /// `-- cutover:` directives (a comment counts).
        static func isWritten(_ line: ArraySlice<UInt8>) -> Bool {
            guard line.contains(where: { !isBlank($0) && $0 != 0x0D }) else { return false }
            return directive(in: line) == nil
        }

        private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

        private static func lowercased(_ byte: UInt8) -> UInt8 {
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
        }
    }
}
