import Foundation

/// One row of `saga_runs`, as read from the store.
public struct SagaRecord: Sendable, Hashable, Codable {
    public var id: UUID
    public var kind: SagaKind
    public var template: String
    /// The resolved, ordered step names, pinned when the saga started.
    public var stepNames: [String]
    /// The inputs the saga was started with; immutable.
    public var inputs: [String: JSONValue]
    /// Accumulated step outputs.
    public var context: [String: JSONValue]
    public var status: SagaStatus
    /// The step being executed (forward) or compensated (during compensation).
    public var currentStep: Int
    public var cancelRequested: Bool
    public var error: String?
    public var deploymentID: String?
    public var tenantID: String?
    public var triggeredBy: String?
    public var idempotencyKey: String?
    public var lockKeys: [String]
    /// Whether the saga waits behind a lock key held by an earlier saga (see ``SagaDetail/blockedBy``).
    public var lockBlocked: Bool
    /// When the saga may next be claimed; while a worker holds it, this is its lease expiry.
    public var runAt: Date
    public var waitKind: WaitKind?
    public var leaseOwner: String?
    public var fencingToken: Int64
    /// Whether a failed forward step holds the saga for an operator instead of compensating.
    public var holdOnFailure: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?

    public init(
        id: UUID, kind: SagaKind, template: String, stepNames: [String], inputs: [String: JSONValue],
        context: [String: JSONValue], status: SagaStatus, currentStep: Int, cancelRequested: Bool,
        error: String?, deploymentID: String?, tenantID: String?, triggeredBy: String?,
        idempotencyKey: String?, lockKeys: [String], runAt: Date, waitKind: WaitKind?,
        leaseOwner: String?, fencingToken: Int64, holdOnFailure: Bool, createdAt: Date,
        updatedAt: Date, finishedAt: Date?, lockBlocked: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.template = template
        self.stepNames = stepNames
        self.inputs = inputs
        self.context = context
        self.status = status
        self.currentStep = currentStep
        self.cancelRequested = cancelRequested
        self.error = error
        self.deploymentID = deploymentID
        self.tenantID = tenantID
        self.triggeredBy = triggeredBy
        self.idempotencyKey = idempotencyKey
        self.lockKeys = lockKeys
        self.lockBlocked = lockBlocked
        self.runAt = runAt
        self.waitKind = waitKind
        self.leaseOwner = leaseOwner
        self.fencingToken = fencingToken
        self.holdOnFailure = holdOnFailure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}
