import Foundation

/// What a claim took, and when the next saga it did not take is due.
package struct ClaimResult: Sendable {
    /// The sagas claimed, oldest `run_at` first; at most the request's limit.
    package var claimed: [ClaimedSaga]
    /// The earliest `run_at` of the runnable sagas the claim did not take that no worker holds and
    /// no lock key blocks (nil: none). At or before the claim's `now`, something due was skipped
    /// (locked by a concurrent transaction, or beyond the limit).
    package var nextDue: Date?

    package init(claimed: [ClaimedSaga], nextDue: Date?) {
        self.claimed = claimed
        self.nextDue = nextDue
    }

    package static let nothing = ClaimResult(claimed: [], nextDue: nil)
}
