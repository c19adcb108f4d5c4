import CutoverCore

extension DatabaseURL {
    /// The URL as text including the password, for writing test config files: a SQLite
    /// URL as `sqlite:PATH`, a server URL as `scheme://user:password@host:port/database`.
    public var rawText: String {
        if isLocalFile || isInMemory { return "sqlite:" + path }
        var text = "\(scheme)://"
        if let user { text += user + (password.map { ":\($0)" } ?? "") + "@" }
        text += "\(host ?? "localhost"):\(port ?? 5432)/\(database ?? "")"
        return text
    }
}
