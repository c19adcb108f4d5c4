/// Tells whether a DEFAULT expression is volatile, which decides whether `ADD COLUMN`
/// rewrites the table. Since PostgreSQL 11, "when a column is added with ADD COLUMN and a
/// non-volatile DEFAULT is specified, the default is evaluated at the time of the statement
/// and the result stored in the table's metadata"; a volatile default (and before 11, any
/// default) is computed for every row, rewriting the table
/// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
enum LintDefaultExpression {
    enum Volatility: Equatable {
        /// Constants, casts, operators and STABLE or IMMUTABLE functions.
        case nonVolatile
        /// Calls a function known to be VOLATILE.
        case volatile(function: String)
        /// Calls a function Cutover does not know; functions are VOLATILE unless declared
        /// otherwise (https://www.postgresql.org/docs/current/xfunc-volatility.html).
        case unknown(function: String)
    }

    /// Whether the expression is just `NULL` (the same as no default).
    static func isNull(_ tokens: [LintToken]) -> Bool {
        tokens.count == 1 && tokens[0].isKeyword("NULL")
    }

    /// The volatility of the expression: the first volatile function call decides, else
    /// the first unknown one.
    static func volatility(of tokens: [LintToken]) -> Volatility {
        var unknown: String?
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            // `expr::type(…)` and `CAST(expr AS type(…))`: a type's modifiers are not a call.
            if token.isSymbol("::") || token.isKeyword("AS") {
                index = skipType(tokens, from: index + 1)
                continue
            }
            if token.kind == .word || token.kind == .quotedIdentifier, index + 1 < tokens.count, tokens[index + 1].isSymbol("(") {
                let name = token.identifier ?? ""
                if volatileFunctions.contains(name) { return .volatile(function: name) }
                if unknown == nil, !nonVolatileFunctions.contains(name) { unknown = name }
            }
            index += 1
        }
        return unknown.map { .unknown(function: $0) } ?? .nonVolatile
    }

    private static func skipType(_ tokens: [LintToken], from start: Int) -> Int {
        var index = start
        while index < tokens.count {
            let token = tokens[index]
            if token.kind == .word || token.kind == .quotedIdentifier || token.isSymbol(".") {
                index += 1
            } else if token.isSymbol("(") || token.isSymbol("[") {
                var depth = 0
                while index < tokens.count {
                    if tokens[index].isSymbol("(") || tokens[index].isSymbol("[") { depth += 1 }
                    if tokens[index].isSymbol(")") || tokens[index].isSymbol("]") { depth -= 1 }
                    index += 1
                    if depth == 0 { break }
                }
            } else {
                break
            }
        }
        return index
    }

    /// Built-in and common extension functions that are VOLATILE (`pg_proc.provolatile = 'v'`).
    static let volatileFunctions: Set<String> = [
        "random", "random_normal", "setseed", "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "gen_random_bytes", "gen_salt", "clock_timestamp", "timeofday", "nextval", "setval", "lastval",
        "currval", "txid_current", "pg_current_xact_id", "pg_backend_pid", "inet_client_addr",
    ]

    /// Functions (and keywords taking parentheses) that are STABLE or IMMUTABLE, so a
    /// default calling them is evaluated once. `now()` and `CURRENT_TIMESTAMP` are STABLE:
    /// the transaction's start time.
    static let nonVolatileFunctions: Set<String> = [
        "now", "transaction_timestamp", "statement_timestamp", "current_timestamp", "current_time", "localtime",
        "localtimestamp", "current_setting", "current_database", "current_schema", "cast", "coalesce", "nullif",
        "greatest", "least", "array", "row", "lower", "upper", "btrim", "ltrim", "rtrim", "trim", "concat", "concat_ws",
        "format", "to_json", "to_jsonb", "json_build_object", "jsonb_build_object", "json_build_array",
        "jsonb_build_array", "array_fill", "make_date", "make_time", "make_timestamp", "make_timestamptz",
        "make_interval", "date_trunc", "date_part", "extract", "to_timestamp", "to_date", "to_char", "to_number",
        "timezone", "age", "length", "char_length", "abs", "round", "floor", "ceil", "ceiling", "trunc", "substring",
        "substr", "replace", "md5", "encode", "decode", "left", "right", "lpad", "rpad", "repeat", "int4range",
        "int8range", "numrange", "tsrange", "tstzrange", "daterange", "uuid_nil", "point", "interval", "numeric",
    ]
}
