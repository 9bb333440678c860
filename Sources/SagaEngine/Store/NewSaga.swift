import Foundation

/// A saga to insert.
public struct NewSaga: Sendable {
    public var id: UUID
    public var kind: SagaKind
    public var template: String
    public var stepNames: [String]
    public var inputs: [String: JSONValue]
    public var deploymentID: String?
    public var tenantID: String?
    public var triggeredBy: String?
    public var idempotencyKey: String?
    public var lockKeys: [String]
    public var holdOnFailure: Bool
    public var runAt: Date
    public var now: Date
    /// Insert the saga already claimed by this worker (lease until ``leaseUntil``), with its first
    /// step's attempt recorded: starting and claiming then cost one commit.
    public var claimedBy: String?
    public var leaseUntil: Date?

    public init(
        id: UUID = UUID(), kind: SagaKind, template: String, stepNames: [String], inputs: [String: JSONValue],
        deploymentID: String? = nil, tenantID: String? = nil, triggeredBy: String? = nil,
        idempotencyKey: String? = nil, lockKeys: [String] = [], holdOnFailure: Bool = false,
        runAt: Date, now: Date
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
    }
}
