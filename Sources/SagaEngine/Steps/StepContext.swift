import Foundation
import Logging

/// What a step sees when it executes or compensates.
public struct StepContext: Sendable {
    public var sagaID: UUID
    public var template: String
    public var stepIndex: Int
    public var stepName: String
    /// 1 on the first execution; higher after retries or a worker crash.
    public var attempt: Int
    /// How many times the step has been re-executed after asking to be polled again.
    public var polls: Int
    /// The saga's immutable inputs.
    public var inputs: [String: JSONValue]
    /// The accumulated context: every earlier step's outputs (and this step's, when compensating).
    public var context: [String: JSONValue]
    /// Logger with `saga.id` and `saga.step` metadata attached.
    public var logger: Logger
    /// The engine's clock reading when the step was dispatched.
    public var now: Date

    public init(
        sagaID: UUID, template: String, stepIndex: Int, stepName: String, attempt: Int, polls: Int,
        inputs: [String: JSONValue], context: [String: JSONValue], logger: Logger, now: Date
    ) {
        self.sagaID = sagaID
        self.template = template
        self.stepIndex = stepIndex
        self.stepName = stepName
        self.attempt = attempt
        self.polls = polls
        self.inputs = inputs
        self.context = context
        self.logger = logger
        self.now = now
    }

    /// An input's string value, or nil.
    public func input(_ name: String) -> String? { inputs[name]?.stringValue }

    /// An input's integer value, or nil.
    public func intInput(_ name: String) -> Int? { inputs[name]?.intValue }

    /// The first eight characters of the saga id, for deterministic resource names.
    public var shortSagaID: String { String(sagaID.uuidString.lowercased().prefix(8)) }
}
