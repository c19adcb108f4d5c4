/// A value in a TOML document.
///
/// `cutover.toml` uses strings, integers, booleans and tables; the other kinds are read so
/// that any valid TOML 1.0 document parses, and a key of the wrong kind is reported by name.
package indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// An offset date-time, local date-time, local date or local time.
    case dateTime(TOMLDateTime)
    /// An array: `[1, 2]`, or the tables of an array of tables (`[[name]]`).
    case array([TOMLValue])
    /// A table: a `[header]` section, a dotted key's parent, or an inline table `{ a = 1 }`.
    case table(TOMLTable)

    /// A short name of the type, for error messages ("a string", "a table").
    package var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .bool: "a boolean"
        case .dateTime(let value): value.typeName
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML date, time or date-time, as written (no time zone arithmetic).
///
/// ```toml
/// odt = 1979-05-27T07:32:00-08:00   # date, time and offset
/// ldt = 1979-05-27 07:32:00          # date and time
/// ld = 1979-05-27                    # date
/// lt = 07:32:00.999                  # time
/// ```
package struct TOMLDateTime: Sendable, Equatable, CustomStringConvertible {
    /// A calendar date.
    package struct Date: Sendable, Equatable {
        package var year: Int
        package var month: Int
        package var day: Int

        package init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }
    }

    /// A time of day; `second` may be 60 (a leap second).
    package struct Time: Sendable, Equatable {
        package var hour: Int
        package var minute: Int
        package var second: Int
        /// The fraction of the second, in nanoseconds (digits beyond nine are dropped).
        package var nanosecond: Int

        package init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
            self.hour = hour
            self.minute = minute
            self.second = second
            self.nanosecond = nanosecond
        }
    }

    /// The date; nil for a local time.
    package var date: Date?
    /// The time; nil for a local date.
    package var time: Time?
    /// The offset from UTC in minutes (`Z` is 0); nil for local values.
    package var offsetMinutes: Int?

    package init(date: Date?, time: Time?, offsetMinutes: Int? = nil) {
        precondition(date != nil || time != nil, "a TOML date-time has a date, a time or both")
        precondition(offsetMinutes == nil || (date != nil && time != nil), "only a date-time has an offset")
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// "an offset date-time", "a local date-time", "a local date" or "a local time".
    package var typeName: String {
        switch (date, time, offsetMinutes) {
        case (_?, _?, _?): "an offset date-time"
        case (_?, _?, nil): "a local date-time"
        case (_?, nil, _): "a local date"
        default: "a local time"
        }
    }

    /// The RFC 3339 form: `1979-05-27T07:32:00.5-08:00`.
    package var description: String {
        var text = ""
        if let date { text += "\(padded(date.year, 4))-\(padded(date.month, 2))-\(padded(date.day, 2))" }
        if date != nil, time != nil { text += "T" }
        if let time {
            text += "\(padded(time.hour, 2)):\(padded(time.minute, 2)):\(padded(time.second, 2))"
            if time.nanosecond > 0 {
                var fraction = padded(time.nanosecond, 9)
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "." + fraction
            }
        }
        if let offsetMinutes {
            if offsetMinutes == 0 {
                text += "Z"
            } else {
                let size = abs(offsetMinutes)
                text += (offsetMinutes < 0 ? "-" : "+") + "\(padded(size / 60, 2)):\(padded(size % 60, 2))"
            }
        }
        return text
    }

    private func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A TOML table: keys in the order they were written, each with its value and line.
package struct TOMLTable: Sendable, Equatable {
    /// One key of the table.
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: TOMLValue
        /// The line the key was written on (for a table: its header, or the first dotted key that made it).
        package var line: Int
    }

    /// The entries in document order.
    package private(set) var entries: [Entry] = []
    /// The position of each key in ``entries``: lookups stay constant-time in a table with
    /// thousands of keys (`[env.NAME]` sections).
    private var positions: [String: Int] = [:]
    /// The line of the `[header]` (or first dotted key) that opened this table (0 for the root).
    package var line: Int = 0

    package init() {}

    /// A table holding `pairs` (a key given twice keeps its last value), as on line 0.
    ///
    /// ```swift
    /// let expected = TOMLTable(["url": .string("sqlite:dev.sqlite3"), "rehearse": .bool(true)])
    /// ```
    package init(_ pairs: KeyValuePairs<String, TOMLValue>) {
        for (key, value) in pairs { set(key, value, line: 0) }
    }

    /// The entry for `key`.
    package func entry(_ key: String) -> Entry? { positions[key].map { entries[$0] } }
    /// The value for `key`.
    package subscript(_ key: String) -> TOMLValue? { entry(key)?.value }

    /// Adds `key`, or replaces its value when it is already there.
    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if let index = positions[key] {
            entries[index].value = value
        } else {
            positions[key] = entries.count
            entries.append(Entry(key: key, value: value, line: line))
        }
    }

    /// Tables are equal when they hold the same keys with equal values, in any order; the
    /// lines they were written on do not count.
    package static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }
}
