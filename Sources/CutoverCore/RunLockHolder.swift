/// The session that holds the run lock of a database: another `cutover` (or app) run.
public struct RunLockHolder: Sendable, Equatable {
    /// The server process of the holding session (PostgreSQL's `pg_backend_pid()`).
    public var pid: Int
    /// Its `application_name` (`cutover`), or `unnamed`.
    public var application: String
    /// Its client address, or `local socket`.
    public var client: String
    /// The role it is logged in as.
    public var user: String
    /// When its session started, as the server prints it.
    public var since: String
    /// What it is doing now (`active`, `idle in transaction`, `idle`), when known.
    public var state: String?

    /// Creates a description of a holder.
    public init(pid: Int, application: String, client: String, user: String, since: String, state: String?) {
        self.pid = pid
        self.application = application
        self.client = client
        self.user = user
        self.since = since
        self.state = state
    }

    /// Whether it is in the middle of a statement or a transaction: then the first migration
    /// not yet applied is the one it is applying. Between migrations (`idle`) it may be
    /// taking a backup or about to start the next one.
    public var isWorking: Bool { state == "active" || state?.hasPrefix("idle in transaction") == true }
}
