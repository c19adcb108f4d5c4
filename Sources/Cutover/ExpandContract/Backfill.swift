import CutoverCore
import CutoverOperations
import Foundation
import Logging

/// The batched backfill of one table of an expand phase: every row that existed before the
/// dual-write triggers is touched once (`SET _cutover_needs_backfill_<id> = false`), so the `up`
/// trigger fills the new version's columns.
///
/// - Batches walk the primary key (or a unique index on NOT NULL columns) in key order, each
///   one statement in its own short transaction that locks its rows `FOR NO KEY UPDATE`.
///   Tables with neither are walked by ranges of `ctid` pages.
/// - The walk stops at the high-water mark read when the backfill began, so it ends under a
///   steady insert load: rows written since carry no flag (the triggers cleared it).
/// - A row a write has converted meanwhile has no flag and is left alone, and a batch run
///   twice changes nothing: progress (`cutover.backfills`) is written after each batch, and a
///   run that was killed resumes after the last batch recorded.
/// - The batch size adapts so that a batch takes about ``Settings/targetBatchDuration``.
struct Backfill {
    /// How the batches are sized and paced.
    struct Settings: Sendable {
        /// The duration a batch aims at; the size follows.
        var targetBatchDuration: Duration = Deployment.BackfillOptions.defaultTargetBatchDuration
        /// The first batch's rows.
        var initialBatchSize = 1_000
        /// Bounds of the adapted size.
        var batchSizeRange: ClosedRange<Int> = 10...50_000
        /// A pause between batches (0: none).
        var delay: Duration = .zero
        /// Asked between batches whether to pause; nil never pauses.
        var throttle: (any BackfillThrottle)?
        /// The longest pause the throttle may ask for after one batch.
        var maxPause: Duration = .seconds(2)
    }

    let database: any Database
    let record: ExpandContractRecord
    let settings: Settings
    let logger: Logger
    let events: ExpandContractEventHandler

    /// A column of the key the batches walk.
    struct KeyColumn: Codable, Equatable {
        var name: String
        var type: String
    }

    /// Runs (or resumes) the backfill of `action`'s table.
    func run(_ action: PlannedAction) async throws {
        guard let table = action.backfillTable else { return }
        let qualified = SQLText.qualified(record.schema, table)
        var state = try await loadOrBegin(table: table, qualified: qualified)
        if state.isDone { return }
        try await markSession(backfilling: true)
        do {
            try await batches(of: action, table: table, qualified: qualified, state: &state)
        } catch {
            try? await markSession(backfilling: false)
            throw error
        }
        try await markSession(backfilling: false)
    }

    /// Sets `cutover.backfill` to the migration's id while the session backfills (and to ''
    /// after): the trigger functions of the other migrations on the table skip its no-op updates.
    private func markSession(backfilling: Bool) async throws {
        _ = try await database.query(
            "SELECT pg_catalog.set_config($1, $2, false)", [.text(ShadowNames.backfillSetting), .text(backfilling ? record.id.normalized : "")])
    }

    /// The batches, from `state` to the high-water mark.
    private func batches(of action: PlannedAction, table: String, qualified: String, state: inout State) async throws {
        let flag = action.flagColumn
        let clock = ContinuousClock()
        let began = clock.now
        var doneThisRun = 0
        var batchSize = settings.initialBatchSize
        while true {
            try Task.checkCancellation()
            let batchStart = clock.now
            let visited: Int
            if state.keyColumns.isEmpty {
                visited = try await pageBatch(qualified: qualified, flag: flag, state: &state, pages: max(1, batchSize / 50))
            } else {
                visited = try await keyBatch(qualified: qualified, flag: flag, state: &state, limit: batchSize)
            }
            let elapsed = batchStart.duration(to: clock.now)
            doneThisRun += visited
            state.rowsDone += visited
            try await saveProgress(table: table, state: state)
            batchSize = adapted(batchSize, elapsed: elapsed)
            let seconds = max(Self.seconds(began.duration(to: clock.now)), 0.001)
            events(.backfillProgress(BackfillProgress(
                table: qualified, rowsDone: state.rowsDone, rowsTotal: state.rowsTotal, rowsPerSecond: Double(doneThisRun) / seconds,
                batchSize: batchSize, isFinished: state.isDone)))
            if state.isDone { return }
            if settings.delay > .zero { try await Task.sleep(for: settings.delay) }
            try await waitForThrottle(after: elapsed)
        }
    }

    /// Pauses as long as the throttle asks, at most ``Settings/maxPause``.
    private func waitForThrottle(after batch: Duration) async throws {
        guard let throttle = settings.throttle else { return }
        let pause = min(try await throttle.pause(on: database, after: batch), settings.maxPause)
        if pause > .zero { try await Task.sleep(for: pause) }
    }

    /// The next size: scaled towards the target duration, at most doubled or halved at a time.
    private func adapted(_ size: Int, elapsed: Duration) -> Int {
        let ratio = Self.seconds(settings.targetBatchDuration) / max(Self.seconds(elapsed), 0.000_1)
        let next = Int((Double(size) * min(max(ratio, 0.5), 2.0)).rounded())
        return min(max(next, settings.batchSizeRange.lowerBound), settings.batchSizeRange.upperBound)
    }

    // MARK: - State in cutover.backfills

    struct State {
        var keyColumns: [KeyColumn]
        /// The last key visited (text of each column), or for a page walk the next page; nil before the first batch.
        var lastKey: [String]?
        /// The largest key (or, for a page walk, the page count) when the backfill began; nil: the table was empty.
        var highWater: [String]?
        var rowsDone: Int
        var rowsTotal: Int?
        var isDone: Bool
    }

    private func loadOrBegin(table: String, qualified: String) async throws -> State {
        let rows = try await database.query(
            "SELECT key_columns, last_key, high_water, rows_done, rows_total, state FROM cutover.backfills WHERE migration_id = $1 AND table_name = $2",
            [.text(record.id.normalized), .text(table)])
        if let row = rows.first {
            return State(
                keyColumns: try decode([KeyColumn].self, row.string("key_columns") ?? "[]"),
                lastKey: try row.string("last_key").map { try decode([String].self, $0) },
                highWater: try row.string("high_water").map { try decode([String].self, $0) },
                rowsDone: row.int("rows_done") ?? 0, rowsTotal: row.int("rows_total"), isDone: row.string("state") == "done")
        }
        let keyColumns = try await walkKey(qualified: qualified)
        let highWater: [String]?
        if keyColumns.isEmpty {
            let pages = try await database.query(
                "SELECT (pg_catalog.pg_relation_size($1::regclass) / current_setting('block_size')::bigint)::bigint AS pages", [.text(qualified)])
            highWater = (pages.first?.int("pages")).flatMap { $0 > 0 ? [String($0)] : nil }
        } else {
            let list = keyColumns.map { SQLText.quotedIdentifier($0.name) }
            let texts = list.enumerated().map { "\($0.element)::text AS k\($0.offset)" }.joined(separator: ", ")
            let top = try await database.query(
                "SELECT \(texts) FROM \(qualified) ORDER BY \(list.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1")
            highWater = top.first.map { row in keyColumns.indices.map { row.string("k\($0)") ?? "" } }
        }
        let state = State(
            keyColumns: keyColumns, lastKey: nil, highWater: highWater, rowsDone: 0, rowsTotal: try await rowEstimate(qualified), isDone: highWater == nil)
        try await database.execute(
            """
            INSERT INTO cutover.backfills (migration_id, table_name, key_columns, last_key, high_water, rows_done, rows_total, state)
            VALUES ($1, $2, $3, NULL, $4, 0, $5, $6)
            """,
            [.text(record.id.normalized), .text(table), .text(try encode(keyColumns)), .text(try highWater.map(encode)),
             .integer(state.rowsTotal), .text(state.isDone ? "done" : "running")])
        return state
    }

    /// The planner's row count; for a table never analyzed, a count when it is under 64 MB
    /// (a larger one stays unknown rather than scanned).
    private func rowEstimate(_ qualified: String) async throws -> Int? {
        let estimate = try await database.query(
            "SELECT reltuples::bigint AS n, pg_catalog.pg_relation_size(oid)::bigint AS bytes FROM pg_catalog.pg_class WHERE oid = $1::regclass",
            [.text(qualified)])
        guard let row = estimate.first, let rows = row.int("n") else { return nil }
        if rows >= 0 { return rows }
        guard (row.int("bytes") ?? .max) < 64 << 20 else { return nil }
        return try await database.query("SELECT count(*)::bigint AS n FROM \(qualified)").first?.int("n")
    }

    private func saveProgress(table: String, state: State) async throws {
        try await database.execute(
            "UPDATE cutover.backfills SET last_key = $3, rows_done = $4, state = $5, updated_at = now() WHERE migration_id = $1 AND table_name = $2",
            [.text(record.id.normalized), .text(table), .text(try state.lastKey.map(encode)), .integer(state.rowsDone),
             .text(state.isDone ? "done" : "running")])
    }

    /// The primary key's columns, else those of a unique index whose columns are all NOT NULL
    /// (no expressions, no predicate); empty when the table has neither (walked by pages).
    private func walkKey(qualified: String) async throws -> [KeyColumn] {
        let rows = try await database.query(
            """
            SELECT i.indexrelid::bigint AS index_id, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                   i.indisprimary::int AS is_primary, a.attnotnull::int AS not_null, k.position AS position
            FROM pg_catalog.pg_index i
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
            ORDER BY i.indisprimary DESC, i.indexrelid, k.position
            """, [.text(qualified)])
        var byIndex: [(id: Int, columns: [KeyColumn], usable: Bool)] = []
        for row in rows {
            let id = row.int("index_id") ?? 0
            let column = KeyColumn(name: row.string("name") ?? "", type: row.string("type") ?? "text")
            let notNull = row.int("not_null") == 1
            if byIndex.last?.id == id {
                byIndex[byIndex.count - 1].columns.append(column)
                byIndex[byIndex.count - 1].usable = byIndex[byIndex.count - 1].usable && notNull
            } else {
                byIndex.append((id, [column], notNull))
            }
        }
        return byIndex.first { $0.usable }?.columns ?? []
    }

    // MARK: - Batches

    /// One batch along the key: returns the rows visited and moves `lastKey` on.
    private func keyBatch(qualified: String, flag flagColumn: String, state: inout State, limit: Int) async throws -> Int {
        guard let highWater = state.highWater else {
            state.isDone = true
            return 0
        }
        let columns = state.keyColumns.map { SQLText.quotedIdentifier($0.name) }
        let list = columns.joined(separator: ", ")
        var binds: [SQLValue] = []
        func tuple(_ values: [String]) -> String {
            let placeholders = zip(values, state.keyColumns).map { value, column in
                binds.append(.text(value))
                return "$\(binds.count)::\(column.type)"
            }
            return "(\(placeholders.joined(separator: ", ")))"
        }
        var conditions = ["(\(list)) <= \(tuple(highWater))"]
        if let lastKey = state.lastKey { conditions.append("(\(list)) > \(tuple(lastKey))") }
        binds.append(.integer(Int64(limit)))
        let flag = SQLText.quotedIdentifier(flagColumn)
        let joined = columns.map { "t.\($0) = batch.\($0)" }.joined(separator: " AND ")
        let lastTexts = columns.enumerated().map { "last.\($0.element)::text AS k\($0.offset)" }.joined(separator: ", ")
        let rows = try await database.query(
            """
            WITH batch AS (
                SELECT \(list) FROM \(qualified) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(list) LIMIT $\(binds.count) FOR NO KEY UPDATE
            ), touched AS (
                UPDATE \(qualified) AS t SET \(flag) = false FROM batch WHERE \(joined) AND t.\(flag) RETURNING 1
            )
            SELECT (SELECT count(*) FROM batch)::bigint AS visited, (SELECT count(*) FROM touched)::bigint AS touched, \(lastTexts)
            FROM (SELECT \(list) FROM batch ORDER BY \(columns.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1) AS last
            """, binds)
        guard let row = rows.first else {
            state.isDone = true
            return 0
        }
        let visited = row.int("visited") ?? 0
        state.lastKey = state.keyColumns.indices.map { row.string("k\($0)") ?? "" }
        if visited < limit { state.isDone = true }
        return visited
    }

    /// One batch of `pages` heap pages (a TID range scan): returns the rows it converted.
    private func pageBatch(qualified: String, flag flagColumn: String, state: inout State, pages: Int) async throws -> Int {
        guard let pageCount = state.highWater?.first.flatMap({ Int($0) }) else {
            state.isDone = true
            return 0
        }
        let from = state.lastKey?.first.flatMap { Int($0) } ?? 0
        let to = min(from + pages, pageCount)
        let flag = SQLText.quotedIdentifier(flagColumn)
        let rows = try await database.query(
            """
            WITH touched AS (
                UPDATE \(qualified) SET \(flag) = false
                WHERE ctid >= format('(%s,0)', $1::bigint)::tid AND ctid < format('(%s,0)', $2::bigint)::tid AND \(flag) RETURNING 1
            )
            SELECT count(*)::bigint AS touched FROM touched
            """, [.integer(Int64(from)), .integer(Int64(to))])
        state.lastKey = [String(to)]
        if to >= pageCount { state.isDone = true }
        return rows.first?.int("touched") ?? 0
    }

    /// A duration in seconds, as a `Double`.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
