import Foundation
import SagaEngine

/// The durable record a creating step writes **before** it sends a create that DigitalOcean
/// cannot make idempotent (no idempotency keys on its API), so that no execution ever has to
/// guess whether an earlier one sent it.
///
/// Recording the intent parks the step for a moment (one commit) and names the execution that
/// will send the request by its `(attempt, poll)` pair: the engine gives the next poll of the
/// same attempt exactly that pair, and any other execution — a retry after a failure, the
/// re-claim after a worker died, a resumed saga — a different one. So:
/// - ``State/planned``: this execution is the one the intent named; nothing was sent yet.
/// - ``State/unknown(since:)``: an earlier execution may have sent the create (response lost,
///   5xx after applying, worker killed right after DigitalOcean accepted it): look the resource
///   up by its tag or name, and keep looking for the adopt window, because new objects show in
///   DigitalOcean's listings only after a lag. Only after the window is a new intent recorded.
/// - ``State/none``: no create was ever planned.
struct CreateIntent {
    /// Context key prefix, for example `droplet_create`.
    let key: String

    enum State: Equatable {
        case none
        case planned(at: Date)
        case unknown(since: Date)
    }

    private var atKey: String { key + "_intent_at" }
    private var byKey: String { key + "_intent_execution" }

    func state(_ context: StepContext) -> State {
        guard let at = context.contextDate(atKey) else { return .none }
        return context.contextString(byKey) == Self.execution(attempt: context.attempt, polls: context.polls) ? .planned(at: at) : .unknown(since: at)
    }

    /// When a create was last planned, if ever.
    func plannedAt(_ context: StepContext) -> Date? { context.contextDate(atKey) }

    /// Parks the step for a moment with the intent recorded; the next poll sends the create.
    func record(_ context: StepContext, what: String, outputs: [String: JSONValue] = [:]) -> StepOutcome {
        var outputs = outputs
        outputs[atKey] = context.now.contextValue
        outputs[byKey] = .string(Self.execution(attempt: context.attempt, polls: context.polls + 1))
        return .pollAgain(after: .zero, outputs: outputs, waitingFor: "nothing: the intent to \(what) is recorded before it is sent")
    }

    /// The planned create was refused unsent (a rate limit: DigitalOcean never applies a 429):
    /// the next poll, after `delay`, is the one that sends it.
    func postpone(_ context: StepContext, after delay: Duration, waitingFor: String) -> StepOutcome {
        .pollAgain(
            after: delay,
            outputs: [atKey: context.now.contextValue, byKey: .string(Self.execution(attempt: context.attempt, polls: context.polls + 1))],
            waitingFor: waitingFor)
    }

    /// Whether the adopt window after an unknown create is still open.
    static func windowOpen(since: Date, context: StepContext, window: Duration) -> Bool {
        context.now < since.addingTimeInterval(window.seconds)
    }

    private static func execution(attempt: Int, polls: Int) -> String { "\(attempt):\(polls)" }
}
