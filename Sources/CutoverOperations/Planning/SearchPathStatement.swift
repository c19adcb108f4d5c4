import CutoverCore

/// A statement whose names are resolved with a given `search_path`: the user's SQL of
/// `create_view` and `replace_function`, written over the new version's names, is created in
/// the version schema during the expand phase (its tables are the version schema's views) and
/// in the base schema by `complete` (its tables are the tables, under their final names).
///
/// PostgreSQL binds a view's names when it is created, and checks a `LANGUAGE sql` function's
/// body then too (`check_function_bodies`), both through the `search_path` of that moment. The
/// engine runs each action as one statement in its own transaction, so the path is set for that
/// transaction only (`set_config(…, true)`, as `SET LOCAL`) inside a `DO` block that runs the
/// statement with `EXECUTE`: the user's text is a single string literal there, never parsed as
/// PL/pgSQL.
///
/// ```swift
/// SearchPathStatement(sql: "CREATE VIEW … AS SELECT …", searchPath: ["public_2", "public"]).sql
/// ```
struct SearchPathStatement {
    /// The statement to run.
    var sql: String
    /// The schemas, first searched first.
    var searchPath: [String]

    /// The text that ends the `DO` block's body; refused in the user's SQL.
    static let delimiter = "$cutover$"

    /// The `DO` block.
    var text: String {
        let path = searchPath.map(SQLText.quotedIdentifier).joined(separator: ", ")
        return """
            DO \(Self.delimiter) BEGIN
              PERFORM set_config('search_path', \(SQLText.literal(path)), true);
              EXECUTE \(SQLText.escapedLiteral(sql));
            END \(Self.delimiter)
            """
    }

    /// The action: the locks the statement takes depend on what it reads, so none is named.
    func action(lock: TableLock = .accessShare) -> PlannedAction {
        .statement(text, lock: lock, table: nil)
    }

    /// The smallest `$tag$` (`$body$`, `$body1$`, …) that does not occur in `text`, to
    /// dollar-quote it.
    static func dollarTag(for text: String) -> String {
        var tag = "$body$"
        var number = 0
        while text.contains(tag) {
            number += 1
            tag = "$body\(number)$"
        }
        return tag
    }
}
