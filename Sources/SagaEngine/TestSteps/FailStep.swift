/// Fails with a retryable error on its first `fail_attempts` attempts (or on every attempt when
/// `fail_attempts` is `always`), then echoes like ``EchoStep``.
public struct FailStep: SagaStep {
    public let name = "fail"
    public var hasCompensation: Bool { false }
    public let retryPolicy: RetryPolicy

    /// - Parameter retryPolicy: default three attempts, 20 ms backoff doubling to 200 ms.
    public init(
        retryPolicy: RetryPolicy = RetryPolicy(
            maximumAttempts: 3, initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200), jitter: 0.2)
    ) {
        self.retryPolicy = retryPolicy
    }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        let setting = context.input("fail_attempts") ?? "always"
        if setting == "always" || context.attempt <= (Int(setting) ?? 0) {
            throw StepFailure.retryable("fail step: injected failure on attempt \(context.attempt) (fail_attempts=\(setting))")
        }
        return .done(["echoed_at_step_\(context.stepIndex)": .string(context.input("message") ?? "hello")])
    }
}
