import CutoverCore

/// The text of the schema file Cutover keeps in the repository (`[dump] schema =
/// "schema.sql"`): the database's normalised schema as DDL, then the applied migrations.
///
/// The DDL is what `cutover diff --sql` writes to build the schema from an empty database
/// (the dialect's `Dialect.schemaRenderer`), so objects come in a fixed order and two
/// identical databases give byte-identical files. Cutover's own tables are left out, and so
/// is what every new database already has (PostgreSQL's `public` schema and `plpgsql`).
/// Nothing in the text depends on the machine, the time or the URL: a pull request's diff
/// of the file shows schema changes and nothing else.
///
/// ```text
/// -- The schema of the database after its migrations, as Cutover reads it.
/// -- Written by `cutover migrate` and `cutover dump` ([dump] schema); do not edit.
/// -- dialect: sqlite
///
/// CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
///
/// -- cutover: applied 20261124120000_create_users
/// ```
///
/// ```swift
/// let dump = try SchemaDump(schema: schema, applied: [(id, "create_users")], dialect: SQLiteDialect())
/// print(dump.text)
/// ```
public struct SchemaDump: Sendable, Equatable {
    /// The first lines of every dump.
    public static let header = """
        -- The schema of the database after its migrations, as Cutover reads it.
        -- Written by `cutover migrate` and `cutover dump` ([dump] schema); do not edit.
        """
    /// How each applied migration is listed at the end: this prefix, then `ID_NAME`.
    public static let appliedPrefix = "-- cutover: applied "

    /// The whole file, ending with a newline.
    public let text: String
    /// The applied migrations listed at the end, in id order.
    public let applied: [MigrationID]

    /// Renders a dump.
    ///
    /// - Parameters:
    ///   - schema: the introspected schema (without Cutover's own objects).
    ///   - applied: the applied migrations, with their names; sorted here by id.
    ///   - dialect: the database's dialect, whose renderer writes the DDL.
    /// - Throws: `CutoverError` `.renderingUnsupported` when `schema` is not of `dialect`.
    public init(schema: Schema, applied: [(id: MigrationID, name: String)], dialect: any Dialect) throws {
        // What a new database has before any migration: left out, so the file lists only
        // what the migrations made (a `CREATE SCHEMA public` would fail when loaded).
        let empty = Schema(
            dialect: schema.dialect, namespaces: schema.namespaces.filter { $0.name == "public" },
            extensions: schema.extensions.filter { $0.name == "plpgsql" && $0.schema == "pg_catalog" })
        let script = try SchemaDiff(from: empty, to: schema).script(for: dialect)
        let sorted = applied.sorted { $0.id < $1.id }
        var text = Self.header + "\n-- dialect: \(dialect.name)\n"
        if !script.text.isEmpty { text += "\n" + script.text }
        if !sorted.isEmpty {
            text += "\n"
            for migration in sorted {
                // A name is a file name's tail; a line break in it must not end the comment.
                let name = migration.name.isEmpty ? "" : "_" + migration.name
                text += Self.appliedPrefix + SQLText.comment("\(migration.id.rawValue)\(name)") + "\n"
            }
        }
        self.text = text
        self.applied = sorted.map(\.id)
    }
}

extension CutoverError.Code {
    /// The schema file (`[dump] schema`, `cutover dump --output`) could not be written. After
    /// `migrate` the migrations stay applied: only the file is missing or stale. Exit 2, as
    /// for a file of the configuration that cannot be used.
    public static let schemaDumpFailed = Self("schema_dump_failed", exitCode: 2)
}
