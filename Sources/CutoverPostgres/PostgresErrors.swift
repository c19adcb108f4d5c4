import CutoverCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

// Turns postgres-nio's errors into the one CutoverError a user reads. PSQLError hides its
// details from `description` on purpose (they may hold data); we pick the fields that are
// safe and useful: SQLSTATE, message, detail, hint. Passwords never reach these messages:
// only the endpoint, user and database names do. The PSQLError itself is kept as the
// CutoverError's `underlying` error, for `--verbose` and for callers that need it.

extension PostgresConnectionSettings {
    /// The CutoverError for a failed connection attempt (cancellation passes through).
    func connectError(_ error: any Error) -> any Error {
        if error is CancellationError || error is CutoverError { return error }
        let target = endpointDescription
        guard let psql = error as? PSQLError else {
            // A transport error from the TCP connect Cutover opens itself (an IP address).
            return CutoverError(
                .connectionFailed, "could not connect to \(target) (\(Self.reason(error)))",
                hint: Self.transportHint(error), underlying: error
            )
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState].map(SQLState.init(rawValue:))
            let code = state.map(DatabaseErrorCode.postgres)
            let serverMessage = psql.serverInfo?[.message] ?? "the server refused the connection"
            switch state {
            case .invalidPassword:
                return CutoverError(
                    .authenticationFailed, "PostgreSQL at \(target) refused user '\(user)': \(serverMessage)",
                    hint: password == nil
                        ? "put the password in the URL (postgres://\(user):PASSWORD@…) or in PGPASSWORD"
                        : "check the user name and password in the URL (or PGPASSWORD)",
                    databaseCode: code, underlying: psql
                )
            case .invalidAuthorizationSpecification:
                // Unknown role, or no pg_hba.conf line admits this user/database/host/TLS.
                return CutoverError(
                    .authenticationFailed, "PostgreSQL at \(target) refused user '\(user)': \(serverMessage)",
                    hint: serverMessage.contains("pg_hba.conf")
                        ? "the server's pg_hba.conf has no entry for this connection; check user, database and sslmode, or ask the administrator"
                        : "check the user name in the URL; the role must exist and have LOGIN",
                    databaseCode: code, underlying: psql
                )
            case .invalidCatalogName:
                return CutoverError(
                    .unknownDatabase, "database '\(database)' does not exist on \(target)",
                    hint: "create it with createdb \(database) or fix the URL", databaseCode: code, underlying: psql
                )
            case .tooManyConnections:
                return CutoverError(
                    .connectionFailed, "could not connect to \(target): \(serverMessage)",
                    hint: "the server has no free connection slot; close idle sessions or raise max_connections",
                    databaseCode: code, underlying: psql
                )
            case .cannotConnectNow:
                return CutoverError(
                    .connectionFailed, "could not connect to \(target): \(serverMessage)",
                    hint: "the server is starting up, shutting down or in recovery; try again shortly",
                    databaseCode: code, underlying: psql
                )
            default:
                return CutoverError(
                    .connectionFailed, "could not connect to \(target): \(serverMessage)",
                    hint: psql.serverInfo?[.hint] ?? "check the URL and the server log", databaseCode: code,
                    underlying: psql
                )
            }
        case .sslUnsupported:
            return CutoverError(
                .connectionFailed, "could not connect to \(target) (the server does not accept TLS, and sslmode=\(sslMode.rawValue) requires it)",
                hint: "turn on ssl in the server's postgresql.conf, or use sslmode=prefer or sslmode=disable if the network is trusted",
                underlying: psql
            )
        case .authMechanismRequiresPassword:
            return CutoverError(
                .authenticationFailed, "PostgreSQL at \(target) asks for a password for user '\(user)', but none was given",
                hint: "put the password in the URL (postgres://\(user):PASSWORD@…) or in PGPASSWORD", underlying: psql
            )
        case .unsupportedAuthMechanism:
            return CutoverError(
                .authenticationFailed, "PostgreSQL at \(target) asks for an authentication method Cutover does not support",
                hint: "use scram-sha-256, md5, password, trust or cert in pg_hba.conf for this user", underlying: psql
            )
        case .saslError:
            return CutoverError(
                .authenticationFailed, "SCRAM authentication of user '\(user)' with \(target) failed",
                hint: "check the password in the URL (or PGPASSWORD)", underlying: psql
            )
        default:
            let cause = psql.underlying
            if let cause, Self.isTLSFailure(cause) || psql.code == .failedToAddSSLHandler {
                return CutoverError(
                    .connectionFailed, "could not connect to \(target) (TLS handshake failed: \(Self.reason(cause)))",
                    hint: "the server certificate did not verify for sslmode=\(sslMode.rawValue); check sslrootcert and the host name, or use sslmode=require to encrypt without verifying",
                    underlying: psql
                )
            }
            let reason = cause.map(Self.reason) ?? "the server closed the connection"
            return CutoverError(
                .connectionFailed, "could not connect to \(target) (\(reason))", hint: Self.transportHint(cause), underlying: psql
            )
        }
    }

    /// What to check after a transport error (`nil`: the server closed the connection).
    static func transportHint(_ error: (any Error)?) -> String {
        isTimeout(error)
            ? "is the host reachable and the port open? raise connect_timeout in the URL if the network is slow"
            : "is PostgreSQL running? check host and port in the URL"
    }

    /// A few words for a transport error: "connection refused", "timed out after 10 s".
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as ChannelError:
            if case .connectTimeout(let amount) = error {
                return "timed out after \(Self.seconds(amount))"
            }
            return "\(error)"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                return reason(first.error)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "host name '\(error.host)' not found"
            }
            return "no address to connect to"
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            case ENOENT: return "no server socket there"
            case EACCES: return "permission denied"
            default: return String(cString: strerror(error.errnoCode))
            }
        case let error as NIOSSLError:
            return "\(error)"
        case let error as SocketAddressError:
            return "bad address: \(error)"
        default:
            return String(describing: error)
        }
    }

    static func isTimeout(_ error: (any Error)?) -> Bool {
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? NIOConnectionError { return error.connectionErrors.contains { isTimeout($0.error) } }
        if let error = error as? IOError { return error.errnoCode == ETIMEDOUT }
        return false
    }

    static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}

extension PostgresDatabase {
    /// The CutoverError for a failed statement (cancellation passes through).
    func statementError(_ error: any Error, sql: String) -> any Error {
        if error is CancellationError || error is CutoverError { return error }
        guard let psql = error as? PSQLError else {
            // A row the driver could not decode, or an internal failure.
            return CutoverError(
                .statementFailed, "could not read the result of a statement", hint: "cast the column to text in the query",
                statement: sql, underlying: error
            )
        }
        switch psql.code {
        case .server:
            let info = psql.serverInfo
            let code = info?[.sqlState].map { DatabaseErrorCode.postgres(SQLState(rawValue: $0)) }
            var message = info?[.message] ?? "the statement failed"
            if let detail = info?[.detail], !detail.isEmpty { message += " (\(detail))" }
            // FATAL and PANIC end the session (pg_terminate_backend, server shutdown): the
            // statement did not run to completion and the session is gone.
            let severity = info?[.severity] ?? info?[.localizedSeverity]
            if severity == "FATAL" || severity == "PANIC" {
                return CutoverError(
                    .connectionFailed, "the server ended the session on \(settings.endpointDescription): \(message)",
                    hint: "the session was terminated or the server restarted; the open transaction was rolled back, run again",
                    statement: sql, databaseCode: code, underlying: psql
                )
            }
            return CutoverError(
                .statementFailed, message, hint: info?[.hint], statement: sql, databaseCode: code, underlying: psql
            )
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return CutoverError(
                .connectionFailed, "lost the connection to \(settings.endpointDescription) while running a statement",
                hint: "the server may have restarted or ended the session; the open transaction was rolled back, run again",
                statement: sql, underlying: psql
            )
        case .tooManyParameters:
            return CutoverError(
                .statementFailed, "a statement can bind at most 65535 values", hint: "split the statement into batches",
                statement: sql, underlying: psql
            )
        default:
            return CutoverError(
                .statementFailed, "the statement failed in the driver (\(psql.code))", statement: sql, underlying: psql
            )
        }
    }
}
