import Foundation

/// A request to claim runnable sagas for a worker.
package struct ClaimRequest: Sendable, Hashable {
    package var workerID: String
    package var now: Date
    package var leaseUntil: Date
    /// Claim at most this many sagas (one per idle slot of the worker).
    package var limit: Int
    /// Claim only this saga (used by `arcadia saga run`).
    package var sagaID: UUID?
    /// Never claim this saga (the one whose final commit carries this claim).
    package var excluding: UUID?
    /// Also take sagas whose worker's lease ran out (a dead worker's): the periodic look.
    package var includeExpiredLeases: Bool

    package init(
        workerID: String, now: Date, leaseUntil: Date, limit: Int = 1, sagaID: UUID? = nil, excluding: UUID? = nil,
        includeExpiredLeases: Bool = true
    ) {
        self.workerID = workerID
        self.now = now
        self.leaseUntil = leaseUntil
        self.limit = max(1, limit)
        self.sagaID = sagaID
        self.excluding = excluding
        self.includeExpiredLeases = includeExpiredLeases
    }
}
