public import Foundation
public import SagaEngine

/// The JSON shape of a saga printed by `saga show --json`, `saga run --json` and friends, and
/// answered by `GET /api/v1/sagas/{id}`.
public struct SagaJSON: Codable, Sendable {
    /// One step of the ledger.
    public struct Step: Codable, Sendable {
        package var index: Int
        package var name: String
        package var status: String
        package var attempts: Int
        package var polls: Int
        package var compensationAttempts: Int
        package var error: String?
        package var output: [String: JSONValue]?
        package var startedAt: Date?
        package var finishedAt: Date?
        package var compensatedAt: Date?
    }

    /// A saga holding a lock key this one waits for.
    public struct Blocker: Codable, Sendable {
        package var key: String
        package var sagaId: String
        package var template: String
        package var status: String
    }

    /// One event of the saga's log.
    public struct Event: Codable, Sendable {
        package var at: Date
        package var kind: String
        package var step: Int?
        package var detail: String?
    }

    package var id: String
    package var template: String
    package var kind: String
    package var status: String
    package var error: String?
    package var currentStep: Int
    package var cancelRequested: Bool
    package var inputs: [String: JSONValue]
    package var context: [String: JSONValue]
    package var stepNames: [String]
    package var lockKeys: [String]
    /// While the saga waits behind a lock key: the earlier sagas holding it.
    package var blockedBy: [Blocker]?
    package var idempotencyKey: String?
    package var leaseOwner: String?
    package var runAt: Date
    package var createdAt: Date
    package var updatedAt: Date
    package var finishedAt: Date?
    package var steps: [Step]?
    package var events: [Event]?

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
    public static func render<T: Encodable>(_ value: T, pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Text.string(date))
        }
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// Decodes what ``render(_:)`` encoded (the API's bodies, for the remote CLI).
    package static func parse<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = parseDate(text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO-8601 date"))
        }
        return try decoder.decode(type, from: data)
    }

    /// An ISO-8601 date, with or without fractional seconds.
    package static func parseDate(_ text: String) -> Date? { ISO8601Text.date(text) }
}
