import CutoverCore
import Foundation
import NIOCore
import PostgresNIO

/// Turns result cells into ``SQLValue``s.
///
/// postgres-nio always asks for results in binary format, so every type needs its binary
/// layout read here (https://www.postgresql.org/docs/current/protocol-message-formats.html and
/// each type's `*_send` function). Integers become `.integer`, floating and `numeric` values
/// `.double`, booleans `.bool`, text-like types `.text`; timestamps become ISO-8601 text in
/// UTC with milliseconds (`2026-11-24T12:00:00.123Z`), dates `YYYY-MM-DD`, `bytea` libpq's
/// hex form (`\x0a0b`), arrays PostgreSQL's text form (`{1,2,NULL}`). A value of a type not
/// listed is kept when its binary form is readable text (enums, citext, …) and otherwise
/// becomes `<unsupported type OID>`: cast such a column to `text` in the query.
///
/// Measured for issue 12 (Benchmarks/README.md, "Speed code: measured, kept or removed"):
/// postgres-nio's `PostgresCell.decode` with Foundation's ISO-8601 formatting instead of this
/// decoder and ``ISOTimestamp`` used 1.12× the CPU on a PostgreSQL no-op `migrate` of 1,000
/// migrations (1.04× on `status --no-drift`), so both stay.
enum PostgresValueDecoder {
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard let bytes = cell.bytes else { return .null }
        if cell.format == .text {
            return .text(String(buffer: bytes))
        }
        return decode(bytes, type: cell.dataType)
    }

    static func decode(_ original: ByteBuffer, type: PostgresDataType) -> SQLValue {
        var buffer = original
        // A switch on the OID (postgres-nio's `PostgresDataType` constants) compiles to a
        // jump; matching the constants one by one went through each one's lazy accessor,
        // sixteen cells a row, a thousand rows a status.
        switch type.rawValue {
        case 21:  // int2
            return buffer.readInteger(as: Int16.self).map { .integer(Int64($0)) } ?? unsupported(type)
        case 23:  // int4
            return buffer.readInteger(as: Int32.self).map { .integer(Int64($0)) } ?? unsupported(type)
        case 20:  // int8
            return buffer.readInteger(as: Int64.self).map { .integer($0) } ?? unsupported(type)
        case 26, 24, 2202, 2203, 2204, 2205, 2206, 28, 29:
            // oid, regproc, regprocedure, regoper, regoperator, regclass, regtype, xid, cid:
            // OIDs and transaction ids are unsigned 32-bit.
            return buffer.readInteger(as: UInt32.self).map { .integer(Int64($0)) } ?? unsupported(type)
        case 700:  // float4
            return buffer.readInteger(as: UInt32.self).map { .double(Double(Float(bitPattern: $0))) } ?? unsupported(type)
        case 701:  // float8
            return buffer.readInteger(as: UInt64.self).map { .double(Double(bitPattern: $0)) } ?? unsupported(type)
        case 1700:  // numeric
            return numeric(&buffer).flatMap { Double($0) }.map { .double($0) } ?? unsupported(type)
        case 16:  // bool
            return buffer.readInteger(as: UInt8.self).map { .bool($0 != 0) } ?? unsupported(type)
        case 25, 1043, 19, 1042, 18, 114, 142, 705, 2275, 194:
            // text, varchar, name, bpchar, char, json, xml, unknown, cstring, pg_node_tree
            return .text(String(buffer: buffer))
        case 3802:  // jsonb: jsonb_send prefixes a format version byte (1) to the JSON text.
            guard buffer.readInteger(as: UInt8.self) == 1 else { return unsupported(type) }
            return .text(String(buffer: buffer))
        case 2950:  // uuid
            guard let bytes = buffer.readBytes(length: 16) else { return unsupported(type) }
            return .text(uuid(bytes))
        case 1184, 1114:  // timestamptz, timestamp
            return buffer.readInteger(as: Int64.self).map { .text(ISOTimestamp.format(microsecondsSince2000: $0)) }
                ?? unsupported(type)
        case 1082:  // date
            return buffer.readInteger(as: Int32.self).map { .text(ISOTimestamp.formatDate(daysSince2000: $0)) }
                ?? unsupported(type)
        case 1083:  // time
            return buffer.readInteger(as: Int64.self).map { .text(ISOTimestamp.formatTime(microseconds: $0)) }
                ?? unsupported(type)
        case 17:  // bytea
            let hex = buffer.readableBytesView.map { byte in
                let digits = String(byte, radix: 16)
                return byte < 16 ? "0" + digits : digits
            }
            return .text("\\x" + hex.joined())
        default:
            if let array = array(&buffer) { return .text(array) }
            return readableText(original).map { .text($0) } ?? unsupported(type)
        }
    }

    private static func unsupported(_ type: PostgresDataType) -> SQLValue {
        .text("<unsupported type \(type.rawValue)>")
    }

    /// The binary form of enums, citext, ltree's label text and many extension types is their
    /// text; binary structures almost always contain control bytes.
    private static func readableText(_ buffer: ByteBuffer) -> String? {
        guard let text = String(bytes: buffer.readableBytesView, encoding: .utf8) else { return nil }
        let isPrintable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return isPrintable ? text : nil
    }

    private static func uuid(_ bytes: [UInt8]) -> String {
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text += "-" }
            if byte < 16 { text += "0" }
            text += String(byte, radix: 16)
        }
        return text
    }

    /// numeric_send: ndigits, weight, sign, dscale (Int16 each), then base-10000 digits.
    /// Returns the decimal text, or `NaN` / `Infinity` / `-Infinity`.
    static func numeric(_ buffer: inout ByteBuffer) -> String? {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self)
        else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var digits: [Int16] = []
        for _ in 0..<max(0, Int(count)) {
            guard let digit = buffer.readInteger(as: Int16.self) else { return nil }
            digits.append(digit)
        }
        // Integer part: groups 0...weight; fraction: the groups after, padded to dscale.
        var integer = ""
        if weight >= 0 {
            for index in 0...Int(weight) {
                let group = index < digits.count ? digits[index] : 0
                let text = String(group)
                integer += index == 0 ? text : String(repeating: "0", count: 4 - text.count) + text
            }
        } else {
            integer = "0"
        }
        var fraction = ""
        var position = Int(weight) + 1
        while fraction.count < Int(scale) {
            let group = position >= 0 && position < digits.count ? digits[position] : 0
            let text = String(group)
            fraction += String(repeating: "0", count: 4 - text.count) + text
            position += 1
        }
        fraction = String(fraction.prefix(Int(max(0, scale))))
        let body = fraction.isEmpty ? integer : integer + "." + fraction
        return sign == 0x4000 ? "-" + body : body
    }

    /// array_send: ndim, has-nulls flag, element OID, per dimension (length, lower bound),
    /// then each element as length + bytes (-1 for NULL). Rendered in PostgreSQL's text form.
    static func array(_ buffer: inout ByteBuffer) -> String? {
        var copy = buffer
        guard let dimensionCount = copy.readInteger(as: Int32.self), (0...6).contains(dimensionCount),
            let flags = copy.readInteger(as: Int32.self), flags == 0 || flags == 1,
            let elementOID = copy.readInteger(as: UInt32.self)
        else { return nil }
        if dimensionCount == 0 { return copy.readableBytes == 0 ? "{}" : nil }
        var lengths: [Int] = []
        for _ in 0..<dimensionCount {
            guard let length = copy.readInteger(as: Int32.self), length >= 0, copy.readInteger(as: Int32.self) != nil
            else { return nil }
            lengths.append(Int(length))
        }
        let total = lengths.reduce(1, *)
        var elements: [String] = []
        elements.reserveCapacity(total)
        for _ in 0..<total {
            guard let length = copy.readInteger(as: Int32.self) else { return nil }
            if length < 0 {
                elements.append("NULL")
                continue
            }
            guard let slice = copy.readSlice(length: Int(length)) else { return nil }
            elements.append(arrayElement(decode(slice, type: PostgresDataType(elementOID))))
        }
        guard copy.readableBytes == 0 else { return nil }
        // Nest the flat list by dimension, innermost first.
        var level = elements
        for length in lengths.reversed().dropLast() {
            level = stride(from: 0, to: level.count, by: max(length, 1)).map {
                "{" + level[$0..<min($0 + length, level.count)].joined(separator: ",") + "}"
            }
        }
        return "{" + level.joined(separator: ",") + "}"
    }

    /// array_out quoting: double-quote empty strings, `NULL`, and text with braces, commas,
    /// quotes, backslashes or spaces.
    private static func arrayElement(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .bool(let flag): return flag ? "t" : "f"
        case .integer, .double: return value.description
        case .text(let text):
            let special: Set<Character> = ["{", "}", ",", "\"", "\\", " ", "\t", "\n", "\r"]
            guard text.isEmpty || text.uppercased() == "NULL" || text.contains(where: special.contains) else { return text }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + escaped + "\""
        }
    }
}

/// ISO-8601 text for PostgreSQL's binary date/time values, which count from 2000-01-01.
///
/// Computed with integer calendar arithmetic (H. Hinnant's `civil_from_days`) rather than a
/// `DateFormatter`: exact to the microsecond, no locale, and safe from any thread.
enum ISOTimestamp {
    /// Days from 1970-01-01 to 2000-01-01.
    static let epochOffsetDays: Int64 = 10_957

    /// `2026-11-24T12:00:00.123Z`; PostgreSQL's `infinity` / `-infinity` pass through.
    static func format(microsecondsSince2000 micros: Int64) -> String {
        if micros == .max { return "infinity" }
        if micros == .min { return "-infinity" }
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let milliseconds = (rest / 1000) % 1000
        let seconds = rest / 1_000_000
        let date = civilComponents(daysSinceUnixEpoch: days + epochOffsetDays)
        guard (0...9999).contains(date.year) else {
            return "\(civil(daysSinceUnixEpoch: days + epochOffsetDays))T\(pad(seconds / 3600))"
                + ":\(pad(seconds / 60 % 60)):\(pad(seconds % 60)).\(pad(milliseconds, width: 3))Z"
        }
        // Written digit by digit into the string's own buffer: a status reads two of these
        // per history row, a thousand rows at a time.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var offset = 0
            func digits(_ value: Int64, _ width: Int) {
                var rest = value
                for position in stride(from: width - 1, through: 0, by: -1) {
                    buffer[offset + position] = UInt8(48 + rest % 10)
                    rest /= 10
                }
                offset += width
            }
            func character(_ byte: UInt8) {
                buffer[offset] = byte
                offset += 1
            }
            digits(date.year, 4); character(45); digits(date.month, 2); character(45); digits(date.day, 2)
            character(84); digits(seconds / 3600, 2); character(58); digits(seconds / 60 % 60, 2); character(58)
            digits(seconds % 60, 2); character(46); digits(milliseconds, 3); character(90)
            return offset
        }
    }

    /// `2026-11-24`.
    static func formatDate(daysSince2000 days: Int32) -> String {
        if days == .max { return "infinity" }
        if days == .min { return "-infinity" }
        return civil(daysSinceUnixEpoch: Int64(days) + epochOffsetDays)
    }

    /// `13:45:00` or `13:45:00.25`, as PostgreSQL prints a `time`.
    static func formatTime(microseconds: Int64) -> String {
        let seconds = microseconds / 1_000_000
        var text = "\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
        let fraction = microseconds % 1_000_000
        if fraction != 0 {
            var digits = pad(fraction, width: 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    private static func civil(daysSinceUnixEpoch: Int64) -> String {
        let (year, month, day) = civilComponents(daysSinceUnixEpoch: daysSinceUnixEpoch)
        let yearText = year < 0 ? "-" + pad(-year, width: 4) : pad(year, width: 4)
        return "\(yearText)-\(pad(month))-\(pad(day))"
    }

    private static func civilComponents(daysSinceUnixEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceUnixEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
