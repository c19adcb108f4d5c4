import CutoverCore
import Foundation
import Hummingbird

/// A user as the API shows it (snake_case JSON).
struct User: ResponseEncodable, Equatable {
    var id: Int64
    var firstName: String
    var lastName: String
    /// Built from the first and last name by the lazy upgrade; nil only in a row not upgraded yet.
    var fullName: String?
    var email: String
    /// 1: written before `full_name` existed; 2: current.
    var rowVersion: Int

    enum CodingKeys: String, CodingKey {
        case id, email
        case firstName = "first_name", lastName = "last_name", fullName = "full_name", rowVersion = "row_version"
    }

    /// The user in a `users` row.
    /// - Throws: `CutoverError` when a column is missing (a schema this code does not know).
    init(_ row: Row) throws {
        func required<T>(_ value: T?, _ column: String) throws -> T {
            guard let value else { throw CutoverError(.statementFailed, "the users row has no \(column)") }
            return value
        }
        id = try required(row["id"]?.int, "id")
        firstName = try required(row.string("first_name"), "first_name")
        lastName = try required(row.string("last_name"), "last_name")
        fullName = row.string("full_name")
        email = try required(row.string("email"), "email")
        rowVersion = row.int("row_version") ?? 1
    }
}

/// `GET /users/:id`: the user, how often it was read, and a greeting that the `new_greeting`
/// switch changes for its share of users.
struct UserPage: ResponseEncodable {
    var user: User
    var views: Int
    var greeting: String
}

/// The body of `POST /users`.
struct NewUser: Decodable {
    var id: Int64
    var firstName: String
    var lastName: String
    var email: String

    enum CodingKeys: String, CodingKey {
        case id, email
        case firstName = "first_name", lastName = "last_name"
    }
}

/// The body of `PUT /users/:id`: the fields to change.
struct UserChange: Decodable {
    var firstName: String?
    var lastName: String?
    var email: String?

    enum CodingKeys: String, CodingKey {
        case email
        case firstName = "first_name", lastName = "last_name"
    }
}

/// One entry of `GET /users/:id/history`.
struct HistoryEntry: Encodable {
    var version: Int
    var operation: String
    var changedAt: String
    /// The newest migration applied when the version was recorded.
    var schemaVersion: String?
    /// The row as it was then.
    var row: JSONValue

    enum CodingKeys: String, CodingKey {
        case version, operation, row
        case changedAt = "changed_at", schemaVersion = "schema_version"
    }
}

/// `GET /users/:id/history`.
struct HistoryPage: ResponseEncodable {
    var versions: [HistoryEntry]
}

/// `POST /users/:id/revert?to=N`: what was written back, and the user now.
struct RevertPage: ResponseEncodable {
    var revertedTo: Int
    /// The version the revert itself was recorded as.
    var newVersion: Int?
    /// Columns followed through renames since the version (stored name → name now).
    var renamed: [String: String]
    /// Columns added since, left as they are.
    var added: [String]
    /// Columns dropped since, not written.
    var dropped: [String]
    var user: User

    enum CodingKeys: String, CodingKey {
        case renamed, added, dropped, user
        case revertedTo = "reverted_to", newVersion = "new_version"
    }
}

/// `GET /health`: the schema guard's verdict, and whether writes are paused.
struct HealthReport: ResponseEncodable {
    /// `ok`, or `incompatible` (the status is then 503).
    var status: String
    /// `compatible`, `missing 20261201110000, …`, or why the database is too new.
    var schema: String
    /// Columns and tables a contract phase in flight will remove (`table.column`).
    var pendingDrops: [String]
    var maintenance: Bool
    /// The database's URL, password removed.
    var database: String

    enum CodingKeys: String, CodingKey {
        case status, schema, maintenance, database
        case pendingDrops = "pending_drops"
    }
}

/// Any JSON value: a recorded row (`RecordVersion.row` is JSON text) shown as JSON.
enum JSONValue: Codable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    /// Parses JSON text; text that is not JSON is kept as a string.
    init(parsing text: String) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        }
    }
}
