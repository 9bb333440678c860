import SagaEngine
import Synchronization

/// Thread-safe counters behind ``SagaStore/statistics``.
final class StatisticsCounter: Sendable {
    private let commits = Atomic<Int>(0)
    private let statements = Atomic<Int>(0)

    func statement(_ count: Int = 1) { statements.add(count, ordering: .relaxed) }
    func commit() { commits.add(1, ordering: .relaxed) }

    var snapshot: StoreStatistics {
        StoreStatistics(commits: commits.load(ordering: .relaxed), statements: statements.load(ordering: .relaxed))
    }
}
