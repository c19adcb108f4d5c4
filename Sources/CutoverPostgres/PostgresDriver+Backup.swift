import CutoverCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Backups, restores and clones with pg_dump, pg_restore and psql.
//
// Every database this file creates carries a comment starting with `cutover:`, and
// `dropClone` drops nothing without it, so a wrong URL cannot drop a database Cutover did
// not make.
extension PostgresDriver: BackupDriver {
    /// The comment prefix that marks databases Cutover created (clones, restores, scratch).
    static let createdMarker = "cutover:"

    /// `pg_dump-custom`, files ending in `.dump`.
    public func backupFormat(for url: DatabaseURL) -> BackupFormat {
        BackupFormat(name: "pg_dump-custom", fileExtension: "dump")
    }

    // MARK: - Backup

    /// Runs `pg_dump --format=custom` inside a snapshot this session exports, and runs
    /// `read` in that same snapshot while the dump is written.
    ///
    /// The session opens a `REPEATABLE READ, READ ONLY` transaction and exports its snapshot
    /// (`pg_export_snapshot()`); `pg_dump --snapshot` dumps exactly that snapshot, so the
    /// row counts and the last applied migration that `read` records describe the file even
    /// while the application writes. Neither takes a lock stronger than `ACCESS SHARE`.
    /// `pg_dump` gets the connection as a libpq connection string without the password
    /// (which goes in `PGPASSWORD` in its environment, never on its command line), with the
    /// URL's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`.
    ///
    /// - Throws: ``CutoverError`` `.backupFailed` (no `pg_dump`, one older than the server,
    ///   or `pg_dump` failed: the message carries its error lines), connection errors.
    public func backup<T: Sendable>(
        _ url: DatabaseURL, to path: String, progress: ProgressReporter, logger: Logger,
        whileConsistent read: (any ContentsSummarizing) async throws -> T
    ) async throws -> (file: BackupFileInfo, read: T) {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        let session = try await PostgresDatabase.open(settings: settings, logger: logger)
        do {
            let tools = try await PostgresClientTools.find(serverVersionNumber: session.serverVersionNumber, logger: logger)
            let properties = try await Self.databaseProperties(session)
            try await session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let snapshot = try await session.query("SELECT pg_catalog.pg_export_snapshot() AS id").first?.string("id") else {
                throw CutoverError(.backupFailed, "the server did not export a snapshot", hint: "check that the server is PostgreSQL 9.2 or later")
            }
            let (conninfo, environment) = PostgresClientTools.connection(settings, applicationName: "cutover-backup")
            let log = try ScratchFile("pg_dump.log")
            logger.debug("running pg_dump", metadata: [
                "cutover_command": "\(tools.pgDump) --format=custom --file=\(path) --snapshot=\(snapshot)", "cutover_database": "\(settings.redactedURL)",
            ])
            let child = try ChildProcess.spawn(
                tools.pgDump, ["--format=custom", "--file=\(path)", "--snapshot=\(snapshot)", "--no-password", "--dbname=\(conninfo)"],
                environment: environment, stderr: .descriptor(log.descriptor))
            let start = ContinuousClock.now
            async let exit = child.wait(reportingEvery: progress.interval) {
                progress.report(BackupProgress(operation: "backup", bytes: ChildProcess.fileSize(path), elapsed: ContinuousClock.now - start))
            }
            // Leaving this scope early (read threw, or the task was cancelled) cancels the
            // wait, which stops pg_dump.
            let value = try await read(session)
            let status = try await exit
            // Ends the read-only snapshot transaction. A failure matters only beside a failed
            // pg_dump (the session is closed right after, which ends the transaction anyway).
            var rollbackError: (any Error)?
            do { try await session.execute("ROLLBACK") } catch { rollbackError = error }
            guard status == 0 else {
                let output = log.text
                throw CutoverError(
                    .backupFailed, "pg_dump failed (exit status \(status)) backing up \(settings.redactedURL): \(PostgresClientTools.errorSummary(output, password: settings.password))",
                    hint: output.contains("No space left") ? "free space in the backup folder, or point [backup] dir at a larger disk"
                        : "see pg_dump's message above; the database was not changed",
                    rollbackError: rollbackError)
            }
            let info = BackupFileInfo(tool: tools.versionText, serverVersion: properties["server_version"], properties: properties)
            await session.close()
            return (info, value)
        } catch {
            await session.close()
            throw error
        }
    }

    /// Encoding and collation of the session's database (for creating a restore target like
    /// it), and the server version.
    static func databaseProperties(_ session: PostgresDatabase) async throws -> [String: String] {
        let row = try await session.query("""
            SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate AS lc_collate, datctype AS lc_ctype,
                   pg_catalog.current_setting('server_version') AS server_version
            FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()
            """).first
        var properties: [String: String] = [:]
        for key in ["encoding", "lc_collate", "lc_ctype", "server_version"] {
            if let value = row?.string(key), !value.isEmpty { properties[key] = value }
        }
        return properties
    }

    // MARK: - Restore

    /// Restores a custom-format dump with `pg_restore`.
    ///
    /// Into a new database: `CREATE DATABASE … TEMPLATE template0` with the backup's
    /// encoding and collation, then `pg_restore --single-transaction --exit-on-error`; on
    /// failure the new database is dropped again. Replacing: see
    /// ``replaceContents(of:from:progress:logger:)``: one transaction that commits only
    /// once the whole restore arrived, so a failure or a `kill -9` anywhere leaves the old
    /// contents.
    ///
    /// - Warning: replacing takes `ACCESS EXCLUSIVE` locks on every table until the restore
    ///   commits, and everything written since the backup is lost.
    public func restore(
        _ path: String, into url: DatabaseURL, replacing: Bool, properties: [String: String],
        progress: ProgressReporter, logger: Logger
    ) async throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CutoverError(.restoreFailed, "the backup file \(path) does not exist or cannot be read", hint: "check the backup folder; `cutover backups` lists what the catalog knows")
        }
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        if replacing {
            try await replaceContents(of: settings, from: path, progress: progress, logger: logger)
        } else {
            try await restoreIntoNewDatabase(settings, from: path, properties: properties, progress: progress, logger: logger)
        }
    }

    private func restoreIntoNewDatabase(
        _ settings: PostgresConnectionSettings, from path: String, properties: [String: String], progress: ProgressReporter, logger: Logger
    ) async throws {
        let name = settings.database
        // Created and marked in one step that cancellation does not cut in half.
        try Task.checkCancellation()
        let (tools, created) = try await withoutCancellation {
            try await self.withMaintenanceSession(settings, avoiding: [name], logger: logger) { admin in
                let tools = try await PostgresClientTools.find(serverVersionNumber: admin.serverVersionNumber, logger: logger)
                guard try await Self.databaseExists(name, admin: admin) else {
                    try await Self.createDatabase(name, admin: admin, properties: properties, comment: "restored from \((path as NSString).lastPathComponent)", logger: logger)
                    return (tools, true)
                }
                return (tools, false)
            }
        }
        if !created {
            let session = try await PostgresDatabase.open(settings: settings, logger: logger)
            let state = try await session.objectInventory()
            await session.close()
            if case .notEmpty(let detail) = state {
                throw CutoverError(
                    .invalidArgument, "database '\(name)' on \(settings.endpointDescription) already holds \(detail)",
                    hint: "restore into a database that does not exist yet (it is created), or replace its contents on purpose with --force")
            }
        }
        do {
            let total = await Self.tableDataEntries(tools: tools, path: path)
            let (conninfo, environment) = PostgresClientTools.connection(settings, applicationName: "cutover-restore")
            let log = try ScratchFile("pg_restore.log")
            logger.debug("running pg_restore", metadata: ["cutover_command": "\(tools.pgRestore) --single-transaction \(path)", "cutover_database": "\(settings.redactedURL)"])
            let child = try ChildProcess.spawn(
                tools.pgRestore, ["--no-password", "--exit-on-error", "--single-transaction", "--verbose", "--dbname=\(conninfo)", path],
                environment: environment, stderr: .descriptor(log.descriptor))
            let start = ContinuousClock.now
            let status = try await child.wait(reportingEvery: progress.interval) {
                progress.report(BackupProgress(operation: "restore", tablesDone: Self.tablesDone(log: log.text), tablesTotal: total, elapsed: ContinuousClock.now - start))
            }
            guard status == 0 else {
                let output = log.text
                throw CutoverError(
                    .restoreFailed, "pg_restore failed (exit status \(status)) restoring into \(settings.redactedURL): \(PostgresClientTools.errorSummary(output, password: settings.password))",
                    hint: output.contains("must be owner") || output.contains("must be member")
                        ? "restore as the owner of the backed-up objects or as a superuser" : "see pg_restore's message above")
            }
        } catch {
            if created { try? await dropDatabase(settings, logger: logger) }
            throw error
        }
    }

    /// Replaces the contents of the database of `settings` with the dump at `path`, in one
    /// transaction that commits only if the whole restore arrived.
    ///
    /// `pg_restore --single-transaction --file=-` writes the restore as a script wrapped in
    /// `BEGIN;` … `COMMIT;`, the `COMMIT;` being the last thing it writes, after all the
    /// data. `psql` (with `ON_ERROR_STOP`, and *without* `--single-transaction`, which would
    /// commit whatever arrived once its input ends) runs a prelude that opens the
    /// transaction and empties the database (``dropEverythingPrelude(serverVersion:)``),
    /// then that script. So the commit happens only when the script's last line arrived:
    ///
    /// - `pg_restore` fails or is killed: its `COMMIT;` never comes, `psql` reads the end of
    ///   its input (a cut-off `COPY` ends there too), exits, and the server rolls the open
    ///   transaction back when the connection closes. Cutover also stops `psql` at once.
    /// - `psql` or Cutover is killed (children die with Cutover, see ``ChildProcess``): the
    ///   connection closes and the server rolls back.
    /// - a statement fails: `ON_ERROR_STOP` ends `psql`, which rolls back.
    ///
    /// The `BEGIN;` that opens `pg_restore`'s script arrives inside the prelude's
    /// transaction and only draws a warning. `--single-transaction` also keeps `pg_restore`
    /// from committing after the large objects, as it does in a script without it.
    private func replaceContents(of settings: PostgresConnectionSettings, from path: String, progress: ProgressReporter, logger: Logger) async throws {
        let session = try await PostgresDatabase.open(settings: settings, logger: logger)
        let version = session.serverVersionNumber
        await session.close()
        let tools = try await PostgresClientTools.find(serverVersionNumber: version, logger: logger)
        let total = await Self.tableDataEntries(tools: tools, path: path)
        let prelude = Self.temporaryPath("prelude.sql")
        let restoreLog = try ScratchFile("pg_restore.log")
        let psqlLog = try ScratchFile("psql.log")
        defer { try? FileManager.default.removeItem(atPath: prelude) }
        let preludeText = "BEGIN;\n" + Self.dropEverythingPrelude(serverVersion: version)
        guard FileManager.default.createFile(atPath: prelude, contents: Data(preludeText.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CutoverError(.restoreFailed, "could not write \(prelude)", hint: "check that the temporary folder (TMPDIR) is writable")
        }
        let (conninfo, environment) = PostgresClientTools.connection(settings, applicationName: "cutover-restore")
        let pipe = try ChildProcess.makePipe()
        logger.debug("running pg_restore --single-transaction --file=- | psql", metadata: ["cutover_database": "\(settings.redactedURL)"])
        let restoreChild: ChildProcess
        let psqlChild: ChildProcess
        do {
            // Each end belongs to its child alone once both run: psql then sees the end of
            // its input as soon as pg_restore ends, whichever way, and pg_restore gets EPIPE
            // should psql stop early.
            defer {
                close(pipe.read)
                close(pipe.write)
            }
            restoreChild = try ChildProcess.spawn(
                tools.pgRestore, ["--verbose", "--single-transaction", "--file=-", path], environment: environment,
                stdout: .descriptor(pipe.write), stderr: .descriptor(restoreLog.descriptor))
            do {
                psqlChild = try ChildProcess.spawn(
                    tools.psql,
                    ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--file=\(prelude)", "--file=-", "--dbname=\(conninfo)"],
                    environment: environment, stdin: .descriptor(pipe.read), stdout: .null, stderr: .descriptor(psqlLog.descriptor))
            } catch {
                restoreChild.terminate()
                _ = try? await restoreChild.wait()
                throw error
            }
        }
        let start = ContinuousClock.now
        async let psqlExit = psqlChild.wait(reportingEvery: progress.interval) {
            progress.report(BackupProgress(operation: "restore", tablesDone: Self.tablesDone(log: restoreLog.text), tablesTotal: total, elapsed: ContinuousClock.now - start))
        }
        let restoreStatus = try await restoreChild.wait()
        // Without pg_restore's COMMIT psql would only roll back; stopping it says so sooner.
        if restoreStatus != 0 { psqlChild.terminate() }
        let psqlStatus = try await psqlExit
        guard restoreStatus == 0, psqlStatus == 0 else {
            let restoreOutput = restoreLog.text
            let psqlOutput = psqlLog.text
            // pg_restore's own failure explains psql's; otherwise psql's message is the cause
            // (pg_restore then only saw the pipe close).
            let (program, status, output) = restoreStatus != 0 && restoreStatus != 128 + SIGPIPE
                ? ("pg_restore", restoreStatus, restoreOutput) : ("psql", psqlStatus, psqlOutput)
            throw CutoverError(
                .restoreFailed, "\(program) failed (exit status \(status)) replacing the contents of \(settings.redactedURL): \(PostgresClientTools.errorSummary(output, password: settings.password))",
                hint: "nothing was changed (the restore runs in one transaction); see the message above")
        }
    }

    /// SQL that empties a database for a restore over it, in the restore's transaction.
    static func dropEverythingPrelude(serverVersion: Int) -> String {
        let routineKind = serverVersion >= 110000 ? "p.prokind::text" : "CASE WHEN p.proisagg THEN 'a' ELSE 'f' END"
        return """
            DO $cutover_restore$
            DECLARE r record;
            BEGIN
              PERFORM pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata;
              FOR r IN
                SELECT n.nspname FROM pg_catalog.pg_namespace n
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
                  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid = n.oid AND d.deptype = 'e')
              LOOP
                EXECUTE pg_catalog.format('DROP SCHEMA %I CASCADE', r.nspname);
              END LOOP;
              FOR r IN
                SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'public'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
                  -- Identity and serial sequences go with their tables (an identity
                  -- sequence cannot be dropped on its own).
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                                    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('i', 'a'))
              LOOP
                EXECUTE pg_catalog.format('DROP %s IF EXISTS public.%I CASCADE',
                  CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.relname);
              END LOOP;
              FOR r IN
                SELECT p.oid::pg_catalog.regprocedure AS signature, \(routineKind) AS kind FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = 'public'::pg_catalog.regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e')
              LOOP
                EXECUTE pg_catalog.format('DROP %s IF EXISTS %s CASCADE',
                  CASE r.kind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.signature);
              END LOOP;
              FOR r IN
                SELECT t.oid::pg_catalog.regtype AS name, t.typtype FROM pg_catalog.pg_type t
                WHERE t.typnamespace = 'public'::pg_catalog.regnamespace AND t.typtype IN ('b', 'c', 'd', 'e', 'r', 'm')
                  AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type a WHERE a.typarray = t.oid)
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e')
              LOOP
                EXECUTE pg_catalog.format('DROP %s IF EXISTS %s CASCADE', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.name);
              END LOOP;
            END
            $cutover_restore$;

            """
    }

    // MARK: - Inspecting targets

    /// Missing, empty, or holding objects.
    public func inspectTarget(_ url: DatabaseURL, logger: Logger) async throws -> RestoreTargetState {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        let exists = try await withMaintenanceSession(settings, avoiding: [], logger: logger) { admin in
            try await Self.databaseExists(settings.database, admin: admin)
        }
        guard exists else { return .missing }
        let session = try await PostgresDatabase.open(settings: settings, logger: logger)
        do {
            let state = try await session.objectInventory()
            await session.close()
            return state
        } catch {
            await session.close()
            throw error
        }
    }

    /// `<database>_<suffix>` on the same server, cut to PostgreSQL's 63-byte limit.
    public func siblingURL(of url: DatabaseURL, suffix: String) -> DatabaseURL {
        let base = (try? PostgresConnectionSettings(url: url, configuration: configuration))?.database ?? url.database ?? "postgres"
        let tail = "_" + suffix
        var head = base
        while head.utf8.count + tail.utf8.count > 63 && !head.isEmpty { head.removeLast() }
        return url.withDatabase(head + tail)
    }

    /// Same server (host or socket, port) and same database name.
    public func isSameDatabase(_ lhs: DatabaseURL, _ rhs: DatabaseURL) -> Bool {
        guard let left = try? PostgresConnectionSettings(url: lhs, configuration: configuration),
            let right = try? PostgresConnectionSettings(url: rhs, configuration: configuration)
        else { return lhs.redacted == rhs.redacted }
        func normalized(_ endpoint: PostgresConnectionSettings.Endpoint) -> String {
            switch endpoint {
            case .tcp(let host, let port):
                let lower = host.lowercased()
                return (["localhost", "127.0.0.1", "::1"].contains(lower) ? "loopback" : lower) + ":\(port)"
            case .socket(let path): return path
            }
        }
        return normalized(left.endpoint) == normalized(right.endpoint) && left.database == right.database
    }

    // MARK: - Clones

    /// Copies `source` into a new database; see ``DatabaseCloning/makeClone(of:name:strategy:logger:)``.
    ///
    /// The template copy is checked first against `pg_stat_activity`: with other sessions
    /// connected to the source (this driver connects to the `postgres` maintenance database,
    /// so its own session does not count), ``CloneStrategy/template`` fails naming them and
    /// ``CloneStrategy/automatic`` uses the dump. A session that connects between the check
    /// and `CREATE DATABASE` is caught too (SQLSTATE 55006).
    public func makeClone(of source: DatabaseURL, name: String, strategy: CloneStrategy, progress: ProgressReporter, logger: Logger) async throws -> DatabaseClone {
        guard [.template, .dump, .automatic].contains(strategy) else {
            throw CutoverError(.invalidArgument, "PostgreSQL clones by 'template', 'dump' or 'automatic', not '\(strategy)'", hint: "pass --strategy template or --strategy dump")
        }
        let settings = try PostgresConnectionSettings(url: source, configuration: configuration)
        guard !name.isEmpty, name.utf8.count <= 63, name != settings.database else {
            throw CutoverError(.invalidArgument, "'\(name)' cannot name a clone of '\(settings.database)'", hint: "use a new database name of 1 to 63 bytes")
        }
        let start = ContinuousClock.now
        let target = source.withDatabase(name)
        var cloneSettings = settings
        cloneSettings.database = name
        // Creating and marking the clone is not cut in half by cancellation (an unmarked
        // database would be left for good); the dump into it is, and then drops it.
        try Task.checkCancellation()
        let (used, tools) = try await withoutCancellation { try await self.createClone(of: settings, name: name, strategy: strategy, logger: logger) }
        if used == .dump, let tools {
            do {
                try await dumpAndRestore(from: settings, into: cloneSettings, tools: tools, progress: progress, logger: logger)
            } catch {
                let dropped = await CleanupLedger.remove("the half-made clone \(name)", remedy: "drop it with DROP DATABASE \(PostgresDialect().quoteIdentifier(name))") {
                    try await dropDatabase(cloneSettings, logger: logger)
                }
                if !dropped { logger.error("could not drop the half-made clone '\(name)'") }
                throw error
            }
        }
        return DatabaseClone(url: target, strategy: used, duration: ContinuousClock.now - start)
    }

    /// Creates the clone `name` of the database of `settings`, by template or, for the dump
    /// strategy, empty and marked; returns the strategy used and, for a dump, the tools.
    private func createClone(
        of settings: PostgresConnectionSettings, name: String, strategy: CloneStrategy, logger: Logger
    ) async throws -> (CloneStrategy, PostgresClientTools?) {
        let quote = PostgresDialect().quoteIdentifier
        return try await withMaintenanceSession(settings, avoiding: [settings.database, name], logger: logger) { admin in
            if try await Self.databaseExists(name, admin: admin) {
                throw CutoverError(
                    .cloneFailed, "database '\(name)' already exists on \(settings.endpointDescription)",
                    hint: "choose another name, or drop the old clone first")
            }
            guard try await Self.databaseExists(settings.database, admin: admin) else {
                throw CutoverError(.unknownDatabase, "database '\(settings.database)' does not exist on \(settings.endpointDescription)", hint: "check the URL")
            }
            let sessions = try await Self.sessions(connectedTo: settings.database, admin: admin)
            if strategy == .template || (strategy == .automatic && sessions.isEmpty) {
                if !sessions.isEmpty { throw Self.sessionsBlockTemplate(settings, sessions) }
                do {
                    try await admin.execute("CREATE DATABASE \(quote(name)) TEMPLATE \(quote(settings.database))")
                    try await Self.mark(name, comment: "clone of \(settings.database) (template)", admin: admin, logger: logger)
                    return (CloneStrategy.template, nil as PostgresClientTools?)
                } catch let error as CutoverError where error.sqlState == .objectInUse {
                    // Someone connected after the check.
                    if strategy == .template {
                        throw Self.sessionsBlockTemplate(settings, try await Self.sessions(connectedTo: settings.database, admin: admin))
                    }
                    logger.info("a session connected to the source during the template copy; cloning by dump instead")
                }
            }
            let tools = try await PostgresClientTools.find(serverVersionNumber: admin.serverVersionNumber, logger: logger)
            let properties = try await admin.query("""
                SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate AS lc_collate, datctype AS lc_ctype
                FROM pg_catalog.pg_database WHERE datname = $1
                """, [.text(settings.database)]).first
            var values: [String: String] = [:]
            for key in ["encoding", "lc_collate", "lc_ctype"] { values[key] = properties?.string(key) }
            try await Self.createDatabase(name, admin: admin, properties: values, comment: "clone of \(settings.database) (dump)", logger: logger)
            return (CloneStrategy.dump, tools)
        }
    }

    /// `pg_dump --format=custom | pg_restore --single-transaction` from one database into
    /// another (empty) one.
    private func dumpAndRestore(
        from source: PostgresConnectionSettings, into target: PostgresConnectionSettings, tools: PostgresClientTools, progress: ProgressReporter, logger: Logger
    ) async throws {
        let start = ContinuousClock.now
        let (sourceInfo, sourceEnvironment) = PostgresClientTools.connection(source, applicationName: "cutover-clone")
        let (targetInfo, targetEnvironment) = PostgresClientTools.connection(target, applicationName: "cutover-clone")
        let dumpLog = try ScratchFile("pg_dump.log")
        let restoreLog = try ScratchFile("pg_restore.log")
        let pipe = try ChildProcess.makePipe()
        let dump: ChildProcess
        let restore: ChildProcess
        do {
            defer {
                close(pipe.read)
                close(pipe.write)
            }
            logger.debug("running pg_dump | pg_restore", metadata: ["cutover_source": "\(source.redactedURL)", "cutover_target": "\(target.redactedURL)"])
            dump = try ChildProcess.spawn(
                tools.pgDump, ["--format=custom", "--no-password", "--dbname=\(sourceInfo)"],
                environment: sourceEnvironment, stdout: .descriptor(pipe.write), stderr: .descriptor(dumpLog.descriptor))
            do {
                restore = try ChildProcess.spawn(
                    tools.pgRestore, ["--no-password", "--exit-on-error", "--single-transaction", "--dbname=\(targetInfo)"],
                    environment: targetEnvironment, stdin: .descriptor(pipe.read), stderr: .descriptor(restoreLog.descriptor))
            } catch {
                dump.terminate()
                _ = try? await dump.wait()
                throw error
            }
        }
        async let dumpExit = dump.wait()
        // The bytes piped from pg_dump to pg_restore are not counted: the time is the progress.
        let restoreStatus = try await restore.wait(reportingEvery: progress.interval) {
            progress.report(BackupProgress(operation: "clone", elapsed: ContinuousClock.now - start))
        }
        let dumpStatus = try await dumpExit
        guard dumpStatus == 0, restoreStatus == 0 else {
            let (program, status, log) = dumpStatus != 0 && dumpStatus != 128 + SIGPIPE
                ? ("pg_dump", dumpStatus, dumpLog) : ("pg_restore", restoreStatus, restoreLog)
            let output = log.text
            throw CutoverError(
                .cloneFailed, "\(program) failed (exit status \(status)) copying \(source.redactedURL) into '\(target.database)': \(PostgresClientTools.errorSummary(output, password: source.password))",
                hint: "see the message above; the half-made clone was dropped")
        }
    }

    /// Drops a database Cutover made; see ``DatabaseCloning/dropClone(_:logger:)``.
    public func dropClone(_ clone: DatabaseURL, logger: Logger) async throws {
        let settings = try PostgresConnectionSettings(url: clone, configuration: configuration)
        try await dropDatabase(settings, logger: logger)
    }

    /// Drops the database of `settings` when it carries Cutover's marker comment.
    ///
    /// Runs to its end even in a cancelled task (``withoutCancellation(_:)``): it is the
    /// clean-up of an interrupted clone, restore or drift check.
    func dropDatabase(_ settings: PostgresConnectionSettings, logger: Logger) async throws {
        try await withoutCancellation { try await self.dropMarkedDatabase(settings, logger: logger) }
    }

    private func dropMarkedDatabase(_ settings: PostgresConnectionSettings, logger: Logger) async throws {
        let name = settings.database
        try await withMaintenanceSession(settings, avoiding: [name], logger: logger) { admin in
            let rows = try await admin.query(
                "SELECT pg_catalog.shobj_description(oid, 'pg_database') AS comment FROM pg_catalog.pg_database WHERE datname = $1", [.text(name)])
            guard let row = rows.first else {
                logger.debug("nothing to drop: no database of that name", metadata: ["cutover_database": "\(name)"])
                return
            }
            guard row.string("comment")?.hasPrefix(Self.createdMarker) == true else {
                throw CutoverError(
                    .invalidArgument, "refusing to drop database '\(name)' on \(settings.endpointDescription): Cutover did not create it",
                    hint: "only clones and restores Cutover made (their comment starts with '\(Self.createdMarker)') are dropped; drop other databases yourself")
            }
            let quoted = PostgresDialect().quoteIdentifier(name)
            logger.debug("dropping database", metadata: ["cutover_database": "\(name)"])
            if admin.serverVersionNumber >= 130000 {
                try await admin.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            } else {
                _ = try await admin.query("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1", [.text(name)])
                try await admin.execute("DROP DATABASE IF EXISTS \(quoted)")
            }
        }
    }

    // MARK: - Helpers

    /// Runs `body` on a session to the `postgres` database (or `template1`), the usual
    /// place for `CREATE DATABASE` and `DROP DATABASE`, never on one in `avoiding`.
    func withMaintenanceSession<T: Sendable>(
        _ settings: PostgresConnectionSettings, avoiding: Set<String>, logger: Logger, _ body: (PostgresDatabase) async throws -> T
    ) async throws -> T {
        var lastError: (any Error)?
        for candidate in ["postgres", "template1"] where !avoiding.contains(candidate) {
            var maintenance = settings
            maintenance.database = candidate
            let admin: PostgresDatabase
            do {
                admin = try await PostgresDatabase.open(settings: maintenance, logger: logger)
            } catch let error as CutoverError where error.code == .unknownDatabase || error.code == .authenticationFailed {
                lastError = error
                continue
            }
            do {
                let result = try await body(admin)
                await admin.close()
                return result
            } catch {
                await admin.close()
                throw error
            }
        }
        throw lastError ?? CutoverError(
            .connectionFailed, "no maintenance database (postgres, template1) to connect to on \(settings.endpointDescription)",
            hint: "create the postgres database, or grant the user CONNECT on it")
    }

    static func databaseExists(_ name: String, admin: PostgresDatabase) async throws -> Bool {
        try await !admin.query("SELECT 1 AS x FROM pg_catalog.pg_database WHERE datname = $1", [.text(name)]).isEmpty
    }

    /// `CREATE DATABASE … TEMPLATE template0` with the given encoding and collation (or the
    /// server's defaults when these are unknown or not available there), marked as Cutover's.
    static func createDatabase(_ name: String, admin: PostgresDatabase, properties: [String: String], comment: String, logger: Logger) async throws {
        let quoted = PostgresDialect().quoteIdentifier(name)
        var options = ""
        if let encoding = properties["encoding"] { options += " ENCODING \(SQLText.escapedLiteral(encoding))" }
        if let collate = properties["lc_collate"] { options += " LC_COLLATE \(SQLText.escapedLiteral(collate))" }
        if let ctype = properties["lc_ctype"] { options += " LC_CTYPE \(SQLText.escapedLiteral(ctype))" }
        func failure(_ error: CutoverError) -> CutoverError {
            let isPrivilegeMissing = error.sqlState == .insufficientPrivilege
            return CutoverError(
                isPrivilegeMissing ? .invalidArgument : .restoreFailed,
                "could not create database '\(name)': \(error.message)",
                hint: isPrivilegeMissing ? "the user needs the CREATEDB privilege (ALTER ROLE … CREATEDB), or create an empty database yourself and restore into it"
                    : "check the name and the server's log", databaseCode: error.databaseCode, underlying: error)
        }
        do {
            try await admin.execute("CREATE DATABASE \(quoted) TEMPLATE template0\(options)")
        } catch let error as CutoverError where !options.isEmpty && error.sqlState != .duplicateDatabase && error.sqlState != .insufficientPrivilege {
            // The locale may not exist on this server; the restore then reports any
            // character that the default encoding cannot hold.
            logger.warning("creating the database with the backup's encoding and collation failed; using the server's defaults", metadata: ["cutover_error": "\(error.message)"])
            do {
                try await admin.execute("CREATE DATABASE \(quoted) TEMPLATE template0")
            } catch let error as CutoverError {
                throw failure(error)
            }
        } catch let error as CutoverError {
            throw failure(error)
        }
        try await mark(name, comment: comment, admin: admin, logger: logger)
    }

    /// Puts Cutover's marker comment on `name`, a database this session has just created.
    ///
    /// `CREATE DATABASE` cannot run in a transaction, so the database exists, unmarked, for a
    /// moment. Should the comment fail (a broken connection, cancellation), the database is
    /// dropped here, on the same session: later `dropClone` calls refuse unmarked databases,
    /// so it would otherwise be left behind for good.
    static func mark(_ name: String, comment: String, admin: PostgresDatabase, logger: Logger) async throws {
        let quoted = PostgresDialect().quoteIdentifier(name)
        do {
            try await admin.execute("COMMENT ON DATABASE \(quoted) IS \(SQLText.escapedLiteral("\(createdMarker) \(comment)"))")
        } catch {
            do {
                try await admin.execute(admin.serverVersionNumber >= 130000 ? "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)" : "DROP DATABASE IF EXISTS \(quoted)")
            } catch let dropError {
                logger.error("could not drop database '\(name)' after failing to mark it as Cutover's; drop it yourself: \(dropError)")
            }
            throw error
        }
    }

    /// Other sessions connected to `database`.
    static func sessions(connectedTo database: String, admin: PostgresDatabase) async throws -> [String] {
        try await admin.query("""
            SELECT pid, coalesce(usename::text, '?') AS usename, coalesce(nullif(application_name, ''), '-') AS app,
                   coalesce(client_addr::text, 'local') AS client
            FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()
            ORDER BY backend_start
            """, [.text(database)]).map { row in
            "pid \(row.string("pid") ?? "?") (\(row.string("usename") ?? "?"), \(row.string("app") ?? "-"), \(row.string("client") ?? "?"))"
        }
    }

    static func sessionsBlockTemplate(_ settings: PostgresConnectionSettings, _ sessions: [String]) -> CutoverError {
        let list = sessions.prefix(5).joined(separator: "; ") + (sessions.count > 5 ? "; …" : "")
        return CutoverError(
            .cloneFailed,
            "cannot clone '\(settings.database)' by template: \(sessions.count) other session\(sessions.count == 1 ? " is" : "s are") connected to it (\(list))",
            hint: "clone by dump instead (--strategy dump), which is safe while the application is connected, or stop those sessions")
    }

    /// Entries of table data in a dump, from `pg_restore --list`; nil when it cannot be read.
    static func tableDataEntries(tools: PostgresClientTools, path: String) async -> Int? {
        guard let result = try? await ChildProcess.run(tools.pgRestore, ["--list", path]), result.status == 0 else { return nil }
        return result.stdout.split(separator: "\n").filter { !$0.hasPrefix(";") && $0.contains(" TABLE DATA ") }.count
    }

    /// Tables `pg_restore --verbose` has reported so far.
    static func tablesDone(log text: String) -> Int? {
        text.components(separatedBy: "processing data for table").count - 1
    }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "cutover-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
    }
}

extension PostgresDriver: CloneListing {
    /// Marked databases named `prefix…` with no session connected; see
    /// ``CloneListing/unusedClones(near:prefix:logger:)``.
    public func unusedClones(near url: DatabaseURL, prefix: String, logger: Logger) async throws -> [String] {
        let settings = try PostgresConnectionSettings(url: url, configuration: configuration)
        return try await withMaintenanceSession(settings, avoiding: [], logger: logger) { admin in
            try await admin.query("""
                SELECT d.datname FROM pg_catalog.pg_database d
                WHERE left(d.datname, length($1)) = $1
                  AND left(coalesce(pg_catalog.shobj_description(d.oid, 'pg_database'), ''), length($2)) = $2
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datname = d.datname)
                ORDER BY 1
                """, [.text(prefix), .text(Self.createdMarker)]).compactMap { $0.string("datname") }
        }
    }
}
