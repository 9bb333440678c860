import SagaEngine
import Synchronization

/// Thread-safe counters behind ``SagaStore/statistics``.
final class StatisticsCounter: Sendable {
    private let commits = Atomic<Int>(0)
    private let statements = Atomic<Int>(0)
    private let claims = Atomic<Int>(0)
    private let emptyClaims = Atomic<Int>(0)
    private let observations = Atomic<Int>(0)

    func statement(_ count: Int = 1) { statements.add(count, ordering: .relaxed) }
    func commit() { commits.add(1, ordering: .relaxed) }
    /// A claim statement that took `claimed` sagas.
    func claim(claimed: Int) {
        claims.add(1, ordering: .relaxed)
        if claimed == 0 { emptyClaims.add(1, ordering: .relaxed) }
    }
    /// A statement made only for observers (finished-saga notifications).
    func observation() { observations.add(1, ordering: .relaxed) }

    var snapshot: StoreStatistics {
        StoreStatistics(
            commits: commits.load(ordering: .relaxed), statements: statements.load(ordering: .relaxed), claims: claims.load(ordering: .relaxed),
            emptyClaims: emptyClaims.load(ordering: .relaxed), observationStatements: observations.load(ordering: .relaxed))
    }
}
