public import Foundation
public import SagaEngine

/// The JSON shape of a saga printed by `saga show --json`, `saga run --json` and friends, and
/// answered by `GET /api/v1/sagas/{id}`.
public struct SagaJSON: Encodable, Sendable {
    /// One step of the ledger.
    public struct Step: Encodable, Sendable {
        var index: Int
        var name: String
        var status: String
        var attempts: Int
        var polls: Int
        var compensationAttempts: Int
        var error: String?
        var output: [String: JSONValue]?
        var startedAt: Date?
        var finishedAt: Date?
        var compensatedAt: Date?
    }

    /// A saga holding a lock key this one waits for.
    public struct Blocker: Encodable, Sendable {
        var key: String
        var sagaId: String
        var template: String
        var status: String
    }

    /// One event of the saga's log.
    public struct Event: Encodable, Sendable {
        var at: Date
        var kind: String
        var step: Int?
        var detail: String?
    }

    var id: String
    var template: String
    var kind: String
    var status: String
    var error: String?
    var currentStep: Int
    var cancelRequested: Bool
    var inputs: [String: JSONValue]
    var context: [String: JSONValue]
    var stepNames: [String]
    var lockKeys: [String]
    /// While the saga waits behind a lock key: the earlier sagas holding it.
    var blockedBy: [Blocker]?
    var idempotencyKey: String?
    var leaseOwner: String?
    var runAt: Date
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?
    var steps: [Step]?
    var events: [Event]?

    /// The saga, with its steps and events when given.
    public init(_ saga: SagaRecord, steps: [StepRecord]? = nil, events: [SagaEvent]? = nil) {
        id = saga.id.uuidString.lowercased()
        template = saga.template
        kind = saga.kind.rawValue
        status = saga.status.rawValue
        error = saga.error
        currentStep = saga.currentStep
        cancelRequested = saga.cancelRequested
        inputs = saga.inputs
        context = saga.context
        stepNames = saga.stepNames
        lockKeys = saga.lockKeys
        idempotencyKey = saga.idempotencyKey
        leaseOwner = saga.leaseOwner
        runAt = saga.runAt
        createdAt = saga.createdAt
        updatedAt = saga.updatedAt
        finishedAt = saga.finishedAt
        self.steps = steps?.map {
            Step(
                index: $0.index, name: $0.name, status: $0.status.rawValue, attempts: $0.attempts, polls: $0.polls,
                compensationAttempts: $0.compensationAttempts, error: $0.error, output: $0.output, startedAt: $0.startedAt,
                finishedAt: $0.finishedAt, compensatedAt: $0.compensatedAt)
        }
        self.events = events?.map { Event(at: $0.at, kind: $0.kind.rawValue, step: $0.stepIndex, detail: $0.detail) }
    }

    /// The saga with its steps, events and what it waits for.
    public init(_ detail: SagaDetail) {
        self.init(detail.saga, steps: detail.steps, events: detail.events)
        blockedBy = detail.blockedBy.map {
            Blocker(key: $0.key, sagaId: $0.sagaID.uuidString.lowercased(), template: $0.template, status: $0.status.rawValue)
        }
    }

    /// Encodes any value as pretty JSON with snake_case keys and ISO-8601 dates.
    public static func render<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            try container.encode(formatter.string(from: date))
        }
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
