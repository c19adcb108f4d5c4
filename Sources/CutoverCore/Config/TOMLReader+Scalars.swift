// Unquoted values: booleans, integers, floats, and dates and times.
extension TOMLReader {
    /// A value that is not a string, array or inline table.
    mutating func scalar() throws -> TOMLValue {
        let start = position
        let startLine = line
        var token = readToken()
        // A date and a time may be separated by one space: `1979-05-27 07:32:00`.
        if Self.isDate(token), current == UInt8(ascii: " "), let next = byte(at: 1), Self.isDigit(next), let third = byte(at: 3), third == UInt8(ascii: ":") {
            advance()
            token += " " + readToken()
        }
        if token == "true" { return .bool(true) }
        if token == "false" { return .bool(false) }
        if let first = token.utf8.first, Self.isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || token.hasSuffix("inf") || token.hasSuffix("nan") {
            if let dateTime = try dateTime(token, line: startLine) { return .dateTime(dateTime) }
            if let number = try number(token, line: startLine) { return number }
        }
        position = start
        line = startLine
        let shown = DatabaseURL.redact(valueText())
        throw fail("'\(shown)' is not a valid value", hint: "quote strings: key = \"\(shown)\"")
    }

    /// The bytes up to the next blank, comma, bracket, brace or comment.
    private mutating func readToken() -> String {
        let start = position
        while let byte = current, !Self.endsToken(byte) { advance() }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func endsToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "="):
            true
        default: false
        }
    }

    /// What was written as the value, for the error: up to a comment, comma or the line end.
    private func valueText() -> String {
        var end = position
        while end < bytes.count, ![UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[end]) {
            end += 1
        }
        return String(decoding: bytes[position..<end], as: UTF8.self).trimmingWhitespace()
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    // MARK: - Numbers

    /// An integer (`+1`, `1_000`, `0xff`, `0o17`, `0b101`) or float (`1.5`, `-1e3`, `inf`,
    /// `nan`); nil when `token` is neither; an error when it is a malformed one.
    private func number(_ token: String, line: Int) throws -> TOMLValue? {
        var body = Substring(token)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = String(first)
            body = body.dropFirst()
        }
        if body == "inf" { return .float(sign == "-" ? -.infinity : .infinity) }
        if body == "nan" { return .float(sign == "-" ? -.nan : .nan) }
        for (prefix, radix, name) in [("0x", 16, "hexadecimal"), ("0o", 8, "octal"), ("0b", 2, "binary")] where body.hasPrefix(prefix) {
            guard sign.isEmpty else {
                throw fail("'\(token)': a \(name) integer takes no sign", hint: "write \(body)", at: line)
            }
            let digits = body.dropFirst(2)
            guard Self.hasDigitsAndUnderscores(digits, radix: radix) else {
                throw fail("'\(token)' is not a valid \(name) integer", hint: "write digits, with underscores only between them: \(prefix)1_ff", at: line)
            }
            guard let value = Int64(digits.replacing("_", with: ""), radix: radix) else { throw outOfRange(token, line: line) }
            return .integer(value)
        }
        let exponentStart = body.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = body[..<(exponentStart ?? body.endIndex)]
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        guard Self.hasDigitsAndUnderscores(integerPart, radix: 10) else { return nil }
        guard integerPart.count == 1 || integerPart.first != "0" else {
            throw fail("'\(token)': leading zeros are not allowed in a number", hint: "write 7, not 07 (0o7 is octal)", at: line)
        }
        if let dot {
            guard Self.hasDigitsAndUnderscores(mantissa[mantissa.index(after: dot)...], radix: 10) else {
                throw fail("'\(token)' is not a valid number: a decimal point needs digits on both sides", hint: "write 1.0 or 0.5", at: line)
            }
        }
        if let exponentStart {
            var exponent = body[body.index(after: exponentStart)...]
            if let first = exponent.first, first == "+" || first == "-" { exponent = exponent.dropFirst() }
            guard Self.hasDigitsAndUnderscores(exponent, radix: 10) else {
                throw fail("'\(token)' is not a valid number: the exponent needs digits", hint: "write 1e3 or 1.5E-2", at: line)
            }
        }
        let digits = sign + body.replacing("_", with: "")
        if dot == nil, exponentStart == nil {
            guard let value = Int64(digits) else { throw outOfRange(token, line: line) }
            return .integer(value)
        }
        guard let value = Double(digits) else { return nil }
        return .float(value)
    }

    /// Digits of `radix`, at least one, with each underscore between two digits.
    private static func hasDigitsAndUnderscores(_ text: Substring, radix: Int) -> Bool {
        var previousWasDigit = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "_") {
                guard previousWasDigit else { return false }
                previousWasDigit = false
            } else {
                guard let value = hexValue(byte), Int(value) < radix else { return false }
                previousWasDigit = true
            }
        }
        return previousWasDigit
    }

    private func outOfRange(_ token: String, line: Int) -> CutoverError {
        fail("'\(token)' is out of range for an integer", hint: "integers go from -9223372036854775808 to 9223372036854775807", at: line)
    }

    // MARK: - Dates and times

    /// `YYYY-MM-DD`, the start of every date and date-time.
    static func isDate(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard bytes.count == 10 else { return false }
        return (0..<10).allSatisfy { index in index == 4 || index == 7 ? bytes[index] == UInt8(ascii: "-") : isDigit(bytes[index]) }
    }

    /// An offset or local date-time, a local date or a local time; nil when `token` does
    /// not look like one; an error when it looks like one but is not valid.
    private func dateTime(_ token: String, line: Int) throws -> TOMLDateTime? {
        let bytes = Array(token.utf8)
        let looksLikeDate = bytes.count >= 10 && Self.isDate(String(decoding: bytes[0..<10], as: UTF8.self))
        let looksLikeTime = bytes.count >= 3 && Self.isDigit(bytes[0]) && Self.isDigit(bytes[1]) && bytes[2] == UInt8(ascii: ":")
        guard looksLikeDate || looksLikeTime else { return nil }
        let invalid = fail(
            "'\(token)' is not a valid date or time", hint: "write 1979-05-27, 07:32:00, 1979-05-27T07:32:00 or 1979-05-27T07:32:00Z (or -08:00)", at: line)
        var scanner = DateTimeScanner(bytes: bytes)
        var date: TOMLDateTime.Date?
        if looksLikeDate {
            guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"), let day = scanner.number(2) else { throw invalid }
            guard (1...12).contains(month), (1...Self.days(inMonth: month, year: year)).contains(day) else {
                throw fail("'\(token)': there is no day \(day) in month \(month) of \(year)", at: line)
            }
            date = TOMLDateTime.Date(year: year, month: month, day: day)
            if scanner.isAtEnd { return TOMLDateTime(date: date, time: nil) }
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" ") else { throw invalid }
        }
        guard let hour = scanner.number(2), scanner.skip(":"), let minute = scanner.number(2), scanner.skip(":"), let second = scanner.number(2) else { throw invalid }
        guard hour < 24, minute < 60, second <= 60 else {
            throw fail("'\(token)' is not a valid time of day", hint: "hours go to 23, minutes to 59, seconds to 60", at: line)
        }
        var nanosecond = 0
        if scanner.skip(".") {
            guard let fraction = scanner.digits(), !fraction.isEmpty else { throw invalid }
            let nine = fraction.prefix(9) + Array(repeating: UInt8(ascii: "0"), count: max(0, 9 - fraction.count))
            nanosecond = Int(String(decoding: nine, as: UTF8.self)) ?? 0
        }
        let time = TOMLDateTime.Time(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
        var offset: Int?
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign = scanner.skipSign() {
            guard let hours = scanner.number(2), scanner.skip(":"), let minutes = scanner.number(2) else { throw invalid }
            guard hours < 24, minutes < 60 else { throw fail("'\(token)': the offset from UTC is out of range", hint: "offsets go from -23:59 to +23:59", at: line) }
            offset = sign * (hours * 60 + minutes)
        }
        guard scanner.isAtEnd else { throw invalid }
        if offset != nil, date == nil {
            throw fail("'\(token)': a time without a date takes no offset", hint: "add the date: 1979-05-27T\(String(decoding: bytes.prefix(8), as: UTF8.self))Z", at: line)
        }
        return TOMLDateTime(date: date, time: time, offsetMinutes: offset)
    }

    private static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Reads the fixed-width fields of a date or time.
private struct DateTimeScanner {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    /// Exactly `width` digits.
    mutating func number(_ width: Int) -> Int? {
        guard position + width <= bytes.count, bytes[position..<position + width].allSatisfy(TOMLReader.isDigit) else { return nil }
        defer { position += width }
        return Int(String(decoding: bytes[position..<position + width], as: UTF8.self))
    }

    /// One or more digits.
    mutating func digits() -> [UInt8]? {
        let start = position
        while position < bytes.count, TOMLReader.isDigit(bytes[position]) { position += 1 }
        return position > start ? Array(bytes[start..<position]) : nil
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    /// `+` (1) or `-` (-1).
    mutating func skipSign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
