import Foundation
import SagaEngine

/// Enters the probe, then blocks until cancelled. Compensation is recorded in the probe log.
struct BlockingStep: SagaStep {
    let name = "blocking"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        Probe.shared.enter(probe + ":blocking")
        try await Probe.parkUntilCancelled()
        return .done
    }
    func compensate(_ context: StepContext) async throws {
        Probe.shared.append(context.input("probe") ?? "", "compensated \(context.stepIndex)")
    }
}

/// Fails permanently until the probe flag `<probe>:fixed` is set.
struct FlakyStep: SagaStep {
    let name = "flaky"
    var retryPolicy: RetryPolicy { .never }
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        guard Probe.shared.isSet(probe + ":fixed") else { throw StepFailure.permanent("flaky step is broken") }
        return .done(["flaky": "ok"])
    }
}

/// Succeeds, but its compensation fails permanently until `<probe>:fixed` is set.
struct FlakyCompensationStep: SagaStep {
    let name = "flaky_compensation"
    var retryPolicy: RetryPolicy { RetryPolicy(maximumAttempts: 2, initialBackoff: .milliseconds(10)) }
    func execute(_ context: StepContext) async throws -> StepOutcome { .done(["created": "thing"]) }
    func compensate(_ context: StepContext) async throws {
        let probe = context.input("probe") ?? ""
        guard Probe.shared.isSet(probe + ":fixed") else {
            throw StepFailure.retryable("cannot delete the thing (API down)")
        }
        Probe.shared.append(probe, "compensated \(context.stepIndex)")
    }
}

/// Records, per lock key, how many sagas are inside at once.
struct OverlapProbeStep: SagaStep {
    let name = "overlap_probe"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let key = (context.input("probe") ?? "") + ":" + (context.input("key") ?? "")
        Probe.shared.activate(key)
        Probe.shared.append(key, "enter \(context.sagaID)")
        for _ in 0..<20 { await Task.yield() }
        Probe.shared.append(key, "exit \(context.sagaID)")
        Probe.shared.deactivate(key)
        return .done
    }
}

/// Waits until `expect` sagas have entered the barrier named by the probe: proves they run at once.
struct BarrierStep: SagaStep {
    let name = "barrier"
    var retryPolicy: RetryPolicy { .never }
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let key = (context.input("probe") ?? "") + ":barrier"
        Probe.shared.enter(key)
        try await Probe.shared.waitEntered(key, count: context.intInput("expect") ?? 2, timeout: .seconds(15))
        return .done
    }
}

extension SagaRegistry {
    /// The built-in templates plus test-only steps and templates.
    static var testing: SagaRegistry {
        var registry = SagaRegistry.builtIn
        registry.register(BlockingStep())
        registry.register(FlakyStep())
        registry.register(FlakyCompensationStep())
        registry.register(OverlapProbeStep())
        registry.register(BarrierStep())
        let probe = InputSpec("probe", .string, default: "")
        registry.register(SagaTemplate(name: "t-blocking", kind: .test, inputs: [probe], steps: ["echo", "blocking", "echo"]))
        registry.register(
            SagaTemplate(name: "t-compensation-fails", kind: .test, inputs: [probe], steps: ["echo", "flaky_compensation", "flaky"]))
        registry.register(
            SagaTemplate(name: "t-hold", kind: .test, inputs: [probe], steps: ["echo", "flaky", "echo"], failurePolicy: .holdForOperator))
        registry.register(
            SagaTemplate(
                name: "t-overlap", kind: .test, inputs: [probe, InputSpec("key", .string)], steps: ["overlap_probe", "overlap_probe"],
                lockKeys: { ["res:" + ($0["key"]?.stringValue ?? "")] }))
        registry.register(
            SagaTemplate(
                name: "t-barrier", kind: .test, inputs: [probe, InputSpec("key", .string), InputSpec("expect", .int, default: 2)],
                steps: ["barrier"], lockKeys: { ["res:" + ($0["key"]?.stringValue ?? "")] }))
        return registry
    }
}
