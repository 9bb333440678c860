/// What a step's execution produced.
public enum StepOutcome: Sendable, Hashable {
    /// The step finished; the outputs are merged into the saga context.
    case done([String: JSONValue])
    /// The step is not finished and wants to be executed again after the given delay (a durable
    /// wait: the saga is parked and no worker is held). Outputs are merged into the context now,
    /// so the next poll can see them. `waitingFor` says what the step waits for (shown in the
    /// saga's events and by `saga run`), for example "action 123 (snapshot) to complete".
    case pollAgain(after: Duration, outputs: [String: JSONValue] = [:], waitingFor: String? = nil)

    /// The step finished with no outputs.
    public static var done: StepOutcome { .done([:]) }
}
