/// A column type as written in DDL, reduced to what decides whether changing it rewrites
/// the table: a canonical base name, its modifiers and whether it is an array.
struct LintTypeName: Sendable, Equatable, CustomStringConvertible {
    /// Canonical lower-case name: `varchar`, `text`, `numeric`, `timestamp`, `timestamptz`, …
    var name: String
    /// `(n)` or `(precision, scale)`; empty when unconstrained.
    var modifiers: [Int]
    var isArray: Bool
    /// The type as written (normalised blanks), for messages.
    var written: String

    var description: String { written }

    /// Builds a type from its words (upper-cased, schema dropped), modifiers and array marker.
    init(words: [String], modifiers: [Int], isArray: Bool, written: String) {
        self.name = Self.canonical(words.joined(separator: " "))
        self.modifiers = modifiers
        self.isArray = isArray
        self.written = written
    }

    /// The built-in aliases PostgreSQL resolves to one type
    /// (https://www.postgresql.org/docs/current/datatype.html#DATATYPE-TABLE).
    private static func canonical(_ words: String) -> String {
        switch words {
        case "CHARACTER VARYING", "VARCHAR": "varchar"
        case "CHARACTER", "CHAR", "BPCHAR": "char"
        case "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE": "timestamp"
        case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE": "timestamptz"
        case "TIME", "TIME WITHOUT TIME ZONE": "time"
        case "TIMETZ", "TIME WITH TIME ZONE": "timetz"
        case "NUMERIC", "DECIMAL", "DEC": "numeric"
        case "INT", "INTEGER", "INT4": "integer"
        case "BIGINT", "INT8": "bigint"
        case "SMALLINT", "INT2": "smallint"
        case "SERIAL", "SERIAL4": "serial"
        case "BIGSERIAL", "SERIAL8": "bigserial"
        case "SMALLSERIAL", "SERIAL2": "smallserial"
        case "DOUBLE PRECISION", "FLOAT8": "double precision"
        case "REAL", "FLOAT4": "real"
        case "BOOL", "BOOLEAN": "boolean"
        case "BIT VARYING", "VARBIT": "varbit"
        default: words.lowercased()
        }
    }

    /// Whether the type is a serial pseudo-type, whose default is `nextval(…)`
    /// (https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-SERIAL).
    var isSerial: Bool { !isArray && ["serial", "bigserial", "smallserial"].contains(name) }

    /// Whether `ALTER COLUMN … TYPE new` from this type keeps the stored bytes, so PostgreSQL
    /// neither rewrites the table nor rebuilds its indexes. ALTER TABLE's notes: "when the
    /// old type is either binary coercible to the new type or an unconstrained domain over
    /// the new type, a table rewrite is not needed"; raising or removing a length, precision
    /// or scale limit only relaxes the check
    /// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
    ///
    /// `timestamp` → `timestamptz` reads the stored value in the session's TimeZone; with
    /// UTC, PostgreSQL 12 and later skip the rewrite ("Avoid a table rewrite … when the
    /// session time zone is UTC", https://www.postgresql.org/docs/release/12.0/).
    func changeKeepsData(to new: LintTypeName, timeZoneIsUTC: Bool, postgresVersion: Int?) -> Bool {
        guard isArray == new.isArray else { return false }
        if name == new.name && modifiers == new.modifiers { return true }
        switch (name, new.name) {
        case ("varchar", "varchar"), ("varbit", "varbit"):
            return Self.widens(modifiers.first, new.modifiers.first)
        case ("varchar", "text"):
            return true
        case ("text", "varchar"):
            return new.modifiers.isEmpty
        case ("numeric", "numeric"):
            // numeric(p) is numeric(p, 0); precision may grow when the scale stays.
            guard !new.modifiers.isEmpty else { return true }
            guard !modifiers.isEmpty else { return false }
            let scale = modifiers.count > 1 ? modifiers[1] : 0
            let newScale = new.modifiers.count > 1 ? new.modifiers[1] : 0
            return scale == newScale && new.modifiers[0] >= modifiers[0]
        case ("timestamp", "timestamp"), ("timestamptz", "timestamptz"), ("time", "time"), ("timetz", "timetz"),
            ("interval", "interval"):
            // Without a modifier these types keep 6 fractional digits, the most there is.
            return Self.widens(modifiers.first ?? 6, new.modifiers.first ?? 6)
        case ("cidr", "inet"):
            return true
        case ("timestamp", "timestamptz"):
            return timeZoneIsUTC && (postgresVersion ?? Linter.Configuration.assumedPostgresVersion) >= 12_00_00
                && Self.widens(modifiers.first ?? 6, new.modifiers.first ?? 6)
        default:
            return false
        }
    }

    /// A length limit may grow or go away; `nil` means unlimited.
    private static func widens(_ old: Int?, _ new: Int?) -> Bool {
        guard let new else { return true }
        guard let old else { return false }
        return new >= old
    }
}
