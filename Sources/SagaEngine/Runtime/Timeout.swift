/// Runs `operation`, failing with an ``EngineError/Code/timeout`` error if it takes longer than `duration`.
public func withTimeout<T: Sendable>(
    _ duration: Duration, _ what: String = "operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw EngineError(.timeout, "\(what) did not finish within \(duration)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
