/// A named unit of work in a saga.
///
/// Both methods must be idempotent: after a worker crash the step runs again, and a compensation
/// may run more than once. A compensation that finds its resource already gone succeeds.
///
/// ```swift
/// struct Echo: SagaStep {
///     static let name = "echo"
///     func execute(_ context: StepContext) async throws -> StepOutcome {
///         .done(["echoed_at_step_\(context.stepIndex)": context.input("message") ?? "hello"])
///     }
/// }
/// ```
public protocol SagaStep: Sendable {
    /// The name the step is registered and stored under.
    var name: String { get }
    /// How transient failures of ``execute(_:)`` and ``compensate(_:)`` are retried.
    var retryPolicy: RetryPolicy { get }
    /// How long one execution may take before it is abandoned with a retryable timeout error.
    var timeout: Duration? { get }
    /// Whether ``compensate(_:)`` does anything; steps without compensation skip a ledger write.
    var hasCompensation: Bool { get }

    /// Runs the step. Returns ``StepOutcome/done(_:)`` with outputs merged into the saga context, or
    /// ``StepOutcome/pollAgain(after:)`` to be called again later without holding a worker.
    func execute(_ context: StepContext) async throws -> StepOutcome

    /// Undoes the step's side effects. Called on failure or cancel, in reverse step order.
    func compensate(_ context: StepContext) async throws
}

extension SagaStep {
    public var retryPolicy: RetryPolicy { .default }
    public var timeout: Duration? { .seconds(900) }
    public var hasCompensation: Bool { true }
    public func compensate(_ context: StepContext) async throws {}
}
