/// Writes `echoed_at_step_<index>` = the `message` input into the context. Nothing to undo.
public struct EchoStep: SagaStep {
    public let name = "echo"
    public var hasCompensation: Bool { false }

    public init() {}

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        .done(["echoed_at_step_\(context.stepIndex)": .string(context.input("message") ?? "hello")])
    }
}
