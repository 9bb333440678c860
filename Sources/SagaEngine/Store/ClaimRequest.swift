import Foundation

/// Which saga to claim, for whom and until when.
public struct ClaimRequest: Sendable, Hashable {
    public var workerID: String
    public var now: Date
    public var leaseUntil: Date
    /// Claim only this saga (used by `arcadia saga run`).
    public var sagaID: UUID?
    /// Never claim this saga (the one whose final commit carries this claim).
    public var excluding: UUID?

    public init(workerID: String, now: Date, leaseUntil: Date, sagaID: UUID? = nil, excluding: UUID? = nil) {
        self.workerID = workerID
        self.now = now
        self.leaseUntil = leaseUntil
        self.sagaID = sagaID
        self.excluding = excluding
    }
}
