import Cutover
import CutoverCore
import CutoverRuntime

/// The `users` table and the `profile_views` counter, in SQL both SQLite and PostgreSQL run.
///
/// Every operation runs inside `SchemaRepair.run`: when a query meets a schema older than this
/// code (a missing column or table, e.g. after someone rolled a migration back), the pending
/// migrations are applied once, under the run lock, and the operation runs again.
struct UserStore: Sendable {
    /// The service's database: one session per unit of work (one request's queries). A
    /// session is one connection: cheap on SQLite, a connect per request on PostgreSQL; a
    /// service with real traffic would keep a pool (e.g. postgres-nio's `PostgresClient`) —
    /// the runtime features work with any client.
    let deployment: Deployment
    let repair: SchemaRepair

    /// Rows written before `full_name` existed (row_version 1) are upgraded as they are read
    /// and written back with a compare-and-set, so a concurrent write is never lost.
    static let upgrades = LazyMigration(table: "users", steps: [
        .sql(to: 2, set: ["full_name": "first_name || ' ' || last_name"]),
    ])

    /// The user with `id` upgraded to the current row version, and its profile views counting
    /// this read (nil when `countingView` is false); nil when there is no such user.
    func read(id: Int64, countingView: Bool = true) async throws -> (user: User, views: Int?)? {
        try await repair.run {
            try await deployment.withSession { db in
                guard let row = try await Self.upgrades.read(key: .integer(id), on: db) else { return nil }
                guard countingView else { return (try User(row), nil) }
                let p = { db.dialect.placeholder($0) }
                let views = try await db.query(
                    """
                    INSERT INTO profile_views (user_id, views) VALUES (\(p(1)), 1)
                    ON CONFLICT (user_id) DO UPDATE SET views = profile_views.views + 1
                    RETURNING views
                    """, [.integer(id)])
                return (try User(row), views.first?.int("views") ?? 0)
            }
        }
    }

    /// Inserts a user at the current row version (this code writes `full_name` itself); nil
    /// when the id is taken.
    func create(_ new: NewUser) async throws -> User? {
        try await repair.run {
            try await deployment.withSession { db in
                let p = { db.dialect.placeholder($0) }
                let rows = try await db.query(
                    """
                    INSERT INTO users (id, first_name, last_name, email, full_name, row_version)
                    VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)))
                    ON CONFLICT (id) DO NOTHING
                    RETURNING *
                    """,
                    [.integer(new.id), .text(new.firstName), .text(new.lastName), .text(new.email),
                     .text("\(new.firstName) \(new.lastName)"), .integer(Int64(Self.upgrades.currentVersion))])
                return try rows.first.map(User.init)
            }
        }
    }

    /// Changes the fields given (the others stay), with `full_name` and the row version
    /// current; nil when there is no such user.
    func update(id: Int64, _ change: UserChange) async throws -> User? {
        try await repair.run {
            try await deployment.withSession { db in
                let p = { db.dialect.placeholder($0) }
                let rows = try await db.query(
                    """
                    UPDATE users SET
                        first_name = COALESCE(\(p(1)), first_name),
                        last_name = COALESCE(\(p(2)), last_name),
                        email = COALESCE(\(p(3)), email),
                        full_name = COALESCE(\(p(1)), first_name) || ' ' || COALESCE(\(p(2)), last_name),
                        row_version = \(p(4))
                    WHERE id = \(p(5))
                    RETURNING *
                    """,
                    [.text(change.firstName), .text(change.lastName), .text(change.email),
                     .integer(Int64(Self.upgrades.currentVersion)), .integer(id)])
                return try rows.first.map(User.init)
            }
        }
    }
}
