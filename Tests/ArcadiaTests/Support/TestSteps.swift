import Foundation
import SagaEngine

/// Enters the probe, then blocks until cancelled (entering `<probe>:interrupted` then).
/// Compensation is recorded in the probe log.
struct BlockingStep: SagaStep {
    let name = "blocking"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        Probe.shared.enter(probe + ":blocking")
        do {
            try await Probe.parkUntilCancelled()
        } catch {
            Probe.shared.enter(probe + ":interrupted")
            throw error
        }
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

/// Records each execution and how many run at once, per saga; enters `<probe>:entered`, then
/// holds until the test sets `<probe>:release` (at most a minute).
struct SlowEffectStep: SagaStep {
    let name = "slow_effect"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        let key = probe + ":" + context.sagaID.uuidString
        Probe.shared.append(probe, "run \(context.sagaID)")
        Probe.shared.activate(key)
        defer { Probe.shared.deactivate(key) }
        Probe.shared.enter(probe + ":entered")
        try await Probe.shared.waitFlag(probe + ":release", timeout: .seconds(60))
        return .done
    }
}

/// Succeeds; its compensation fails (retryably) on its first `fail_compensations` calls.
struct CountingCompensationStep: SagaStep {
    let name = "counting_compensation"
    var retryPolicy: RetryPolicy { RetryPolicy(maximumAttempts: 2, initialBackoff: .milliseconds(10), jitter: 0) }
    func execute(_ context: StepContext) async throws -> StepOutcome { .done }
    func compensate(_ context: StepContext) async throws {
        let probe = context.input("probe") ?? ""
        Probe.shared.enter(probe + ":compensation")
        if Probe.shared.enteredCount(probe + ":compensation") <= (context.intInput("fail_compensations") ?? 0) {
            throw StepFailure.retryable("the resource API is down")
        }
        Probe.shared.append(probe, "compensated \(context.stepIndex)")
    }
}

/// Blocks until cancelled, with a five-second timeout and no retries.
struct TimeoutStep: SagaStep {
    let name = "times_out"
    var retryPolicy: RetryPolicy { .never }
    var timeout: Duration? { .seconds(5) }
    func execute(_ context: StepContext) async throws -> StepOutcome {
        Probe.shared.enter((context.input("probe") ?? "") + ":times_out")
        try await Probe.parkUntilCancelled()
        return .done
    }
}

/// Records, for each of its saga's lock keys (`keys`, comma-separated), how many sagas are inside.
struct MultiKeyProbeStep: SagaStep {
    let name = "multi_key_probe"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        let keys = (context.input("keys") ?? "").split(separator: ",").map { probe + ":" + $0 }
        for key in keys { Probe.shared.activate(key) }
        for _ in 0..<10 { await Task.yield() }
        for key in keys { Probe.shared.deactivate(key) }
        return .done
    }
}

/// Enters `<probe>:gate`, then waits until the flag `<probe>:open` is set.
struct GateStep: SagaStep {
    let name = "gate"
    func execute(_ context: StepContext) async throws -> StepOutcome {
        let probe = context.input("probe") ?? ""
        Probe.shared.enter(probe + ":gate")
        try await Probe.shared.waitFlag(probe + ":open", timeout: .seconds(60))
        return .done
    }
}

/// A step with a single attempt allowed: with a `probe`, it enters `<probe>:quick` and holds
/// until `<probe>:open` is set; without one, it is done at once.
struct SingleAttemptStep: SagaStep {
    let name = "single_attempt"
    var retryPolicy: RetryPolicy { .never }
    var hasCompensation: Bool { false }
    func execute(_ context: StepContext) async throws -> StepOutcome {
        if let probe = context.input("probe"), !probe.isEmpty {
            Probe.shared.enter(probe + ":quick")
            try await Probe.shared.waitFlag(probe + ":open", timeout: .seconds(60))
        }
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
        registry.register(SlowEffectStep())
        registry.register(CountingCompensationStep())
        registry.register(TimeoutStep())
        registry.register(MultiKeyProbeStep())
        registry.register(GateStep())
        registry.register(SingleAttemptStep())
        let probe = InputSpec("probe", .string, default: "")
        registry.register(
            SagaTemplate(name: "t-slow-effect", kind: .test, inputs: [probe], steps: ["slow_effect"]))
        registry.register(
            SagaTemplate(
                name: "t-compensation-budget", kind: .test, inputs: [probe, InputSpec("fail_compensations", .int, default: 0)],
                steps: ["counting_compensation", "flaky"]))
        registry.register(SagaTemplate(name: "t-timeout", kind: .test, inputs: [probe], steps: ["times_out"]))
        registry.register(
            SagaTemplate(
                name: "t-multi-lock", kind: .test, inputs: [probe, InputSpec("keys", .string)], steps: ["multi_key_probe"],
                lockKeys: { inputs in (inputs["keys"]?.stringValue ?? "").split(separator: ",").map { "res:" + $0 } }))
        registry.register(SagaTemplate(name: "t-gate", kind: .test, inputs: [probe], steps: ["echo", "gate", "echo"]))
        registry.register(SagaTemplate(name: "t-single-attempt", kind: .test, inputs: [probe], steps: ["single_attempt"]))
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
