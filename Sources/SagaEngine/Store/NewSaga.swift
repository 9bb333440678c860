import Foundation

/// A saga to insert.
package struct NewSaga: Sendable {
    /// Who holds the saga when it is inserted.
    package enum Assignment: Sendable, Hashable {
        /// Nobody: the saga waits for a claim.
        case none
        /// This worker (an idle slot in the starting process): inserted claimed, with its first
        /// step's attempt recorded, so starting and claiming cost one commit.
        case worker(String, leaseUntil: Date)
        /// A live worker in another process with a free slot, if the store knows one (PostgreSQL's
        /// worker registry); the caller then delivers the saga to it. Otherwise, nobody.
        case idleWorker(excluding: [String], leaseUntil: Date)
    }

    package var id: UUID
    package var kind: SagaKind
    package var template: String
    package var stepNames: [String]
    package var inputs: [String: JSONValue]
    package var deploymentID: String?
    package var tenantID: String?
    package var triggeredBy: String?
    package var idempotencyKey: String?
    package var lockKeys: [String]
    package var holdOnFailure: Bool
    package var runAt: Date
    package var now: Date
    package var assignment: Assignment

    package init(
        id: UUID = UUID(), kind: SagaKind, template: String, stepNames: [String], inputs: [String: JSONValue],
        deploymentID: String? = nil, tenantID: String? = nil, triggeredBy: String? = nil,
        idempotencyKey: String? = nil, lockKeys: [String] = [], holdOnFailure: Bool = false,
        runAt: Date, now: Date, assignment: Assignment = .none
    ) {
        self.id = id
        self.kind = kind
        self.template = template
        self.stepNames = stepNames
        self.inputs = inputs
        self.deploymentID = deploymentID
        self.tenantID = tenantID
        self.triggeredBy = triggeredBy
        self.idempotencyKey = idempotencyKey
        self.lockKeys = Array(Set(lockKeys)).sorted()
        self.holdOnFailure = holdOnFailure
        self.runAt = runAt
        self.now = now
        self.assignment = lockKeys.isEmpty ? assignment : .none
    }
}
