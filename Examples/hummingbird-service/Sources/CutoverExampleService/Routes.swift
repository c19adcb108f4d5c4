import Cutover
import CutoverCore
import CutoverRuntime
import Hummingbird
import Logging

/// The routes:
///
/// | route | shows |
/// |---|---|
/// | `GET /health` | the schema guard's verdict (503 when incompatible), the `maintenance` switch |
/// | `GET /users/:id` | the user, upgraded lazily; a greeting the `new_greeting` rollout changes |
/// | `POST /users` | creates a user (201; 409 when the id is taken) |
/// | `PUT /users/:id` | changes a user |
/// | `GET /users/:id/history` | every recorded version of the user's row |
/// | `POST /users/:id/revert?to=N` | writes version N back |
///
/// While the `maintenance` switch is on (`cutover maintenance on`), writes answer 503 and
/// reads go on.
func buildRouter(_ runtime: ServiceRuntime) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: CutoverErrorMiddleware())

    router.get("/health") { _, _ in
        try await health(runtime)
    }

    router.get("/users/:id") { _, context in
        let id = try context.parameters.require("id", as: Int64.self)
        guard let found = try await runtime.users.read(id: id) else { throw noSuchUser(id) }
        let (user, views) = found
        let newGreeting = try await runtime.flags.isEnabled(ServiceRuntime.newGreeting, for: String(id))
        let greeting = newGreeting ? "Welcome back, \(user.firstName)!" : "Hello, \(user.fullName ?? user.firstName)."
        return UserPage(user: user, views: views ?? 0, greeting: greeting)
    }

    router.post("/users") { request, context in
        try await refuseWritesInMaintenance(runtime)
        let new = try await request.decode(as: NewUser.self, context: context)
        guard let user = try await runtime.users.create(new) else {
            throw HTTPError(.conflict, message: "a user with id \(new.id) exists")
        }
        return EditedResponse(status: .created, response: user)
    }

    router.put("/users/:id") { request, context in
        try await refuseWritesInMaintenance(runtime)
        let id = try context.parameters.require("id", as: Int64.self)
        let change = try await request.decode(as: UserChange.self, context: context)
        guard let user = try await runtime.users.update(id: id, change) else { throw noSuchUser(id) }
        return user
    }

    router.get("/users/:id/history") { _, context in
        let id = try context.parameters.require("id", as: Int64.self)
        let versions = try await runtime.history.versions(of: id)
        guard !versions.isEmpty else { throw HTTPError(.notFound, message: "no recorded version of user \(id)") }
        return HistoryPage(versions: versions.map {
            HistoryEntry(
                version: $0.version, operation: $0.operation.rawValue, changedAt: $0.changedAt,
                schemaVersion: $0.schemaVersion?.rawValue, row: JSONValue(parsing: $0.row))
        })
    }

    router.post("/users/:id/revert") { request, context in
        try await refuseWritesInMaintenance(runtime)
        let id = try context.parameters.require("id", as: Int64.self)
        guard let version = request.uri.queryParameters.get("to", as: Int.self) else {
            throw HTTPError(.badRequest, message: "say which version to write back: ?to=N (see GET /users/\(id)/history)")
        }
        let revert = try await runtime.history.revert(id, to: version)
        // Read through the lazy upgrade: an old version may predate full_name.
        guard let found = try await runtime.users.read(id: id, countingView: false) else { throw noSuchUser(id) }
        return RevertPage(
            revertedTo: version, newVersion: revert.newVersion, renamed: revert.renamed, added: revert.added,
            dropped: revert.dropped, user: found.user)
    }

    return router
}

/// `GET /health`: 200 while the database has every migration this version needs, else 503
/// with what is missing (a load balancer stops sending traffic to this node).
private func health(_ runtime: ServiceRuntime) async throws -> EditedResponse<HealthReport> {
    let report = try await runtime.schemaGuard.check()
    let schema: String = switch report.verdict {
    case .compatible: "compatible"
    case .missing(let ids): "missing \(ids.map(\.rawValue).joined(separator: ", "))"
    case .tooNew(let reason): "too new: \(reason)"
    }
    let maintenance = try await runtime.flags.isEnabled(FeatureFlag.maintenance)
    return EditedResponse(
        status: report.isCompatible ? .ok : .serviceUnavailable,
        response: HealthReport(
            status: report.isCompatible ? "ok" : "incompatible", schema: schema,
            pendingDrops: report.pendingDrops.map { [$0.table, $0.column].compactMap { $0 }.joined(separator: ".") },
            maintenance: maintenance, database: runtime.deployment.target.url.redacted))
}

/// Throws 503 while the `maintenance` switch is on (`cutover maintenance on`, or a
/// `migrate --strategy swap` in progress). The switches are read at most once a second
/// (`FeatureFlags.refreshInterval`), or at once on PostgreSQL thanks to `watch()`.
private func refuseWritesInMaintenance(_ runtime: ServiceRuntime) async throws {
    if try await runtime.flags.isEnabled(FeatureFlag.maintenance) {
        throw HTTPError(.serviceUnavailable, message: "down for maintenance: writes are paused, reads still work")
    }
}

private func noSuchUser(_ id: Int64) -> HTTPError {
    HTTPError(.notFound, message: "no user \(id)")
}

/// Turns the library's errors into answers: a refused argument (e.g. a revert to a version
/// that does not exist) is 400 with the library's message and hint, an incompatible schema
/// 503; anything else is 500, logged with its details.
struct CutoverErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as CutoverError {
            let message = error.message + (error.hint.map { " (\($0))" } ?? "")
            switch error.code {
            case .invalidArgument: throw HTTPError(.badRequest, message: message)
            case .schemaIncompatible: throw HTTPError(.serviceUnavailable, message: message)
            default:
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
                throw HTTPError(.internalServerError, message: "internal error (the service's log has the details)")
            }
        }
    }
}
