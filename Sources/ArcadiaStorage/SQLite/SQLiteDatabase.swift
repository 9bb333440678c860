import Dispatch
import Metrics
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// One SQLite connection whose work runs on its own serial queue.
///
/// A whole transaction is one job on that queue, so it costs one hop between threads however many
/// statements it has, transactions never interleave, and prepared statements are cached per SQL
/// text. (sqlite-nio's own API costs a hop per statement.)
///
/// Group commit: transactions that are waiting when the queue gets to them run together inside one
/// `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint (so each is still all-or-nothing, and one
/// that throws is rolled back alone). Every caller is answered only after that commit.
final class SQLiteDatabase: @unchecked Sendable {
    // `handle` and `statements` are only touched on `queue`.
    private let handle: OpaquePointer
    private let queue = DispatchQueue(label: "arcadia.sqlite")
    private var statements: [String: OpaquePointer] = [:]
    private var closed = false
    private let pending = Mutex<[PendingTransaction]>([])
    let path: String
    let counter: StatisticsCounter
    /// Transactions per physical commit.
    private let batchSizes: Recorder?

    private init(handle: OpaquePointer, path: String, counter: StatisticsCounter, batchSizes: Recorder?) {
        self.handle = handle
        self.path = path
        self.counter = counter
        self.batchSizes = batchSizes
    }

    /// Opens (creating if needed) the file.
    static func open(path: String, busyTimeoutMilliseconds: Int32, counter: StatisticsCounter, batchSizes: Recorder? = nil) throws
        -> SQLiteDatabase
    {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "status \(status)"
            if let handle { sqlite_nio_sqlite3_close(handle) }
            throw StorageError(.unreachable, "cannot open SQLite database \(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        return SQLiteDatabase(handle: handle, path: path, counter: counter, batchSizes: batchSizes)
    }

    /// Runs `body` on the connection's queue.
    func perform<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard !self.closed else {
                    continuation.resume(throwing: StorageError(.unreachable, "the SQLite database \(self.path) is closed"))
                    return
                }
                continuation.resume(with: Result { try body(Connection(database: self)) })
            }
        }
    }

    /// Runs `body` as one all-or-nothing transaction (possibly sharing a physical commit with
    /// others; see the type's documentation). `wrote` tells whether it changed anything; only those
    /// count as commits in the statistics.
    func transaction<T: Sendable>(
        wrote: @escaping @Sendable (T) -> Bool = { _ in true }, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = PendingTransaction(
                run: { connection in
                    let result = try body(connection)
                    return {
                        if wrote(result) { connection.database.counter.commit() }
                        continuation.resume(returning: result)
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            let first = pending.withLock { queue -> Bool in
                queue.append(job)
                return queue.count == 1
            }
            if first { queue.async { self.drain() } }
        }
    }

    /// Runs every waiting transaction in one physical transaction, each in a savepoint.
    private func drain() {
        let jobs = pending.withLock { queue -> [PendingTransaction] in
            defer { queue.removeAll() }
            return queue
        }
        guard !jobs.isEmpty else { return }
        guard !closed else {
            for job in jobs { job.fail(StorageError(.unreachable, "the SQLite database \(path) is closed")) }
            return
        }
        let connection = Connection(database: self)
        batchSizes?.record(jobs.count)
        var outcomes: [Result<@Sendable () -> Void, any Error>] = []
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            for job in jobs { job.fail(error) }
            return
        }
        for job in jobs {
            do {
                try connection.execute("SAVEPOINT job")
                let resume = try job.run(connection)
                try connection.execute("RELEASE job")
                outcomes.append(.success(resume))
            } catch {
                _ = try? connection.execute("ROLLBACK TO job")
                _ = try? connection.execute("RELEASE job")
                outcomes.append(.failure(error))
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            for job in jobs { job.fail(error) }
            return
        }
        for outcome in outcomes {
            switch outcome {
            case .success(let resume): resume()
            case .failure: break
            }
        }
        for (job, outcome) in zip(jobs, outcomes) {
            if case .failure(let error) = outcome { job.fail(error) }
        }
    }

    func close() async {
        _ = try? await perform { connection in connection.database.closeOnQueue() }
    }

    private func closeOnQueue() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        sqlite_nio_sqlite3_close(handle)
        closed = true
    }

    /// A transaction waiting for the queue: `run` returns how to answer its caller after the commit.
    private struct PendingTransaction: Sendable {
        var run: @Sendable (Connection) throws -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    /// Access to the connection inside ``perform(_:)``.
    struct Connection {
        fileprivate let database: SQLiteDatabase

        /// Runs one statement and returns its rows.
        @discardableResult
        func rows(_ sql: String, _ binds: [SQLiteData] = []) throws -> [Row] {
            try database.run(sql, binds)
        }

        /// Runs one statement, ignoring rows.
        func execute(_ sql: String, _ binds: [SQLiteData] = []) throws {
            _ = try database.run(sql, binds)
        }
    }

    /// A result row, by column name.
    struct Row: Sendable {
        let names: [String]
        let values: [SQLiteData]

        func column(_ name: String) -> SQLiteData? {
            guard let index = names.firstIndex(of: name) else { return nil }
            return values[index]
        }
    }

    private func run(_ sql: String, _ binds: [SQLiteData]) throws -> [Row] {
        counter.statement()
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            }
            guard status == SQLITE_OK else { throw error("binding parameter \(index)") }
        }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        var rows: [Row] = []
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW:
                var values: [SQLiteData] = []
                values.reserveCapacity(Int(count))
                for column in 0..<count {
                    switch sqlite_nio_sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(statement, column))))
                    case SQLITE_FLOAT: values.append(.float(sqlite_nio_sqlite3_column_double(statement, column)))
                    case SQLITE_TEXT: values.append(.text(String(cString: sqlite_nio_sqlite3_column_text(statement, column))))
                    default: values.append(.null)
                    }
                }
                rows.append(Row(names: names, values: values))
            case SQLITE_DONE:
                return rows
            default:
                throw error("running a statement")
            }
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error("preparing a statement") }
        statements[sql] = statement
        return statement
    }

    private func error(_ doing: String) -> StorageError {
        let message = String(cString: sqlite_nio_sqlite3_errmsg(handle))
        let code = sqlite_nio_sqlite3_extended_errcode(handle)
        if code & 0xff == SQLITE_BUSY {
            return StorageError(.unreachable, "SQLite database \(path) is locked by another process (\(message)); try again")
        }
        return StorageError(.query, "SQLite error while \(doing): \(message)")
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
