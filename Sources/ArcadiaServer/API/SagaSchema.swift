package import Foundation
package import OpenAPIRuntime
import SagaEngine

/// A saga as the generated API type, built from ``SagaJSON`` field by field: no JSON text in
/// between (the API's hottest path: every saga read and list). What the schema does not name
/// goes in its additional properties, exactly as ``SagaJSON/render(_:pretty:)`` writes it (a test
/// holds the two equal).
extension Components.Schemas.Saga {
    package init(_ saga: SagaJSON) throws {
        var more: [String: (any Sendable)?] = [
            "cancel_requested": saga.cancelRequested, "run_at": ISO8601Text.string(saga.runAt),
        ]
        if let key = saga.idempotencyKey { more["idempotency_key"] = key }
        if let owner = saga.leaseOwner { more["lease_owner"] = owner }
        if let finished = saga.finishedAt { more["finished_at"] = ISO8601Text.string(finished) }
        if let blockers = saga.blockedBy {
            more["blocked_by"] = blockers.map { blocker -> (any Sendable)? in
                ["key": blocker.key, "saga_id": blocker.sagaId, "template": blocker.template, "status": blocker.status] as [String: (any Sendable)?]
            }
        }
        if let steps = saga.steps {
            more["steps"] = steps.map { step -> (any Sendable)? in
                var object: [String: (any Sendable)?] = [
                    "index": step.index, "name": step.name, "status": step.status, "attempts": step.attempts, "polls": step.polls,
                    "compensation_attempts": step.compensationAttempts,
                ]
                if let error = step.error { object["error"] = error }
                if let output = step.output { object["output"] = output.mapValues(\.openAPIValue) }
                if let at = step.startedAt { object["started_at"] = ISO8601Text.string(at) }
                if let at = step.finishedAt { object["finished_at"] = ISO8601Text.string(at) }
                if let at = step.compensatedAt { object["compensated_at"] = ISO8601Text.string(at) }
                return object
            }
        }
        if let events = saga.events {
            more["events"] = events.map { event -> (any Sendable)? in
                var object: [String: (any Sendable)?] = ["at": ISO8601Text.string(event.at), "kind": event.kind]
                if let step = event.step { object["step"] = step }
                if let detail = event.detail { object["detail"] = detail }
                return object
            }
        }
        self.init(
            id: saga.id, template: saga.template, kind: saga.kind, status: saga.status, error: saga.error, currentStep: saga.currentStep,
            inputs: .init(additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: saga.inputs.mapValues(\.openAPIValue))),
            context: .init(additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: saga.context.mapValues(\.openAPIValue))),
            stepNames: saga.stepNames, lockKeys: saga.lockKeys, createdAt: saga.createdAt, updatedAt: saga.updatedAt,
            additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: more))
    }
}

extension JSONValue {
    /// The value as the generated code's free-form containers hold it.
    var openAPIValue: (any Sendable)? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let values): values.map(\.openAPIValue)
        case .object(let values): values.mapValues(\.openAPIValue)
        }
    }
}
