import CutoverCore

/// `sql`: the escape hatch. `up` runs during the expand phase, `down` on abort; Cutover cannot
/// tell what they lock, and the version schema does not know what they change.
///
/// ```yaml
/// - sql:
///     up: CREATE EXTENSION IF NOT EXISTS citext
///     down: DROP EXTENSION IF EXISTS citext
/// ```
public struct RawSQL: ExpandContractOperation, Hashable {
    public static let name = "sql"
    public var file: String
    public var line: Int
    /// Run by start.
    public var up: String
    /// Run by abort; nil when there is nothing to undo.
    public var down: String?

    /// Creates the operation.
    public init(up: String, down: String? = nil, file: String = "", line: Int = 1) {
        self.up = up
        self.down = down
        self.file = file
        self.line = line
    }

    init(_ object: YAMLObject) throws {
        var object = object
        file = object.file
        line = object.line
        up = try object.requiredString("up", example: "CREATE EXTENSION IF NOT EXISTS citext")
        down = try object.string("down")
        try object.finish()
    }

    public func start(in shape: inout VersionShape, context: OperationContext) throws -> [PlannedAction] {
        [.statement(Self.trimmed(up), lock: .unknown, table: nil)]
    }

    public func complete(before: VersionShape, context: OperationContext) -> [PlannedAction] { [] }

    public func abort(before: VersionShape, context: OperationContext) -> [PlannedAction] {
        down.map { [.statement(Self.trimmed($0), lock: .unknown, table: nil)] } ?? []
    }

    /// The text without surrounding white space and a trailing semicolon.
    static func trimmed(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last.isWhitespace || last == ";" { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}
