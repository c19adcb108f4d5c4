extension DatabaseURL {
    /// Whether the URL names a database file on this machine (SQLite's `sqlite:` and `file:`
    /// URLs other than `:memory:`): such a database is created by opening it, lives beside
    /// the config file when its path is relative, and is cloned by copying it to a sibling file.
    public var isLocalFile: Bool {
        (scheme.hasPrefix("sqlite") || scheme == "file") && !isInMemory
    }

    /// A name for a new database beside this one, with `suffix` appended: a file in the same
    /// folder for a local file (`shop.sqlite3` → `shop_rehearsal_X.sqlite3`), otherwise a
    /// database name on the same server (`shop` → `shop_rehearsal_X`, the base cut to 40
    /// characters so the name fits PostgreSQL's 63-byte limit).
    public func siblingName(suffix: String) -> String {
        if isLocalFile {
            let file = path.split(separator: "/").last.map(String.init) ?? path
            let base = file.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
            return (base.isEmpty ? file : base) + suffix + ".sqlite3"
        }
        return String((database ?? "db").prefix(40)) + suffix
    }
}
