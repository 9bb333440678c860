/// A durable wait: the first execution asks to be polled again after `seconds`; the next one finishes.
/// No worker is held in between.
public struct SleepStep: SagaStep {
    public let name = "sleep"
    public var hasCompensation: Bool { false }

    public init() {}

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        guard context.polls == 0 else { return .done(["slept_seconds": context.inputs["seconds"] ?? .int(0)]) }
        let seconds = context.inputs["seconds"]?.doubleValue ?? 0
        return .pollAgain(after: .milliseconds(Int64((seconds * 1000).rounded())))
    }
}
