import Foundation

/// One row of `saga_step_results`: the audit ledger entry of one step of one saga.
public struct StepRecord: Sendable, Hashable, Codable {
    public var sagaID: UUID
    public var index: Int
    public var name: String
    public var status: StepStatus
    public var output: [String: JSONValue]?
    public var error: String?
    /// Executions begun (first run, retries, re-entries after a crash). Polls do not count.
    public var attempts: Int
    /// Re-executions after the step asked to be polled again (durable waits).
    public var polls: Int
    public var compensationAttempts: Int
    public var startedAt: Date?
    public var finishedAt: Date?
    public var compensatedAt: Date?

    public init(
        sagaID: UUID, index: Int, name: String, status: StepStatus, output: [String: JSONValue]?,
        error: String?, attempts: Int, polls: Int, compensationAttempts: Int, startedAt: Date?,
        finishedAt: Date?, compensatedAt: Date?
    ) {
        self.sagaID = sagaID
        self.index = index
        self.name = name
        self.status = status
        self.output = output
        self.error = error
        self.attempts = attempts
        self.polls = polls
        self.compensationAttempts = compensationAttempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.compensatedAt = compensatedAt
    }
}
