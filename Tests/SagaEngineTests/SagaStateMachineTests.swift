import Foundation
import Testing

@testable import SagaEngine

/// The saga's transitions, without a database: every path of ``SagaStateMachine`` driven against a
/// model of the store's semantics.
@Suite("Saga state machine")
struct SagaStateMachineTests {
    typealias StepResult = SagaStateMachine.StepResult

    static func steps(_ count: Int, policy: RetryPolicy? = nil) -> [ScriptedStep] {
        (0..<count).map { index in
            var step = ScriptedStep(name: "s\(index)")
            if let policy { step.retryPolicy = policy }
            return step
        }
    }

    // MARK: Paths, one by one

    @Test("happy path: one commit per step records the result and the next attempt; the last commit completes and claims")
    func happyPath() {
        var harness = MachineHarness(steps: Self.steps(3))
        let status = harness.runToEnd { _, run, _ in .done(["out\(run.index)": .int(run.index)]) }
        #expect(status == .completed)
        #expect(harness.forwardRuns == [0, 1, 2])
        #expect(harness.requested.count == 3)
        #expect(harness.requested.map(\.attempt?.index) == [1, 2, nil])
        #expect(harness.requested.allSatisfy { $0.releaseLease == ($0.status == .completed) })
        #expect(harness.requested.last?.claimNext?.excluding == harness.model.saga.id)
        #expect(harness.model.saga.context == ["out0": 0, "out1": 1, "out2": 2])
        #expect(harness.model.ledger.allSatisfy { $0.status == .completed && $0.attempts == 1 })
        #expect(harness.eventKinds.filter { $0 == .stepCompleted }.count == 3)
        #expect(harness.eventKinds.last == .sagaCompleted)
    }

    @Test("a durable wait parks the saga; the next claim runs the step again as a poll, not an attempt")
    func durableWait() {
        var harness = MachineHarness(steps: Self.steps(1))
        let status = harness.runToEnd { _, run, _ in run.polls < 2 ? .pollAgain(after: .seconds(5), outputs: ["p\(run.polls)": true]) : .done([:]) }
        #expect(status == .completed)
        #expect(harness.stops == ["parked:poll", "parked:poll", "finished:completed"])
        #expect(harness.model.ledger[0].attempts == 1)
        #expect(harness.model.ledger[0].polls == 2)
        #expect(harness.model.saga.context == ["p0": true, "p1": true])
        let parks = harness.requested.filter { $0.waitKind == .poll }
        #expect(parks.allSatisfy { $0.status == .waiting && $0.releaseLease && $0.claimNext != nil })
    }

    @Test("a retryable failure backs off with the policy's delay and the remote retry-after, then succeeds")
    func retryThenSucceed() {
        var harness = MachineHarness(steps: Self.steps(1))
        let status = harness.runToEnd { _, run, _ in
            run.attempt < 3 ? .failed(message: "503", retryable: true, retryAfter: run.attempt == 2 ? .seconds(40) : nil) : .done([:])
        }
        #expect(status == .completed)
        let parks = harness.requested.filter { $0.waitKind == .retry }
        #expect(parks.count == 2)
        // Policy: 1 s then 2 s, no jitter; the second carries a 40 s retry-after, a floor.
        #expect(parks[0].runAt.timeIntervalSince(parks[0].now) == 1)
        #expect(parks[1].runAt.timeIntervalSince(parks[1].now) == 40)
        #expect(harness.model.ledger[0].attempts == 3)
        #expect(harness.model.ledger[0].error == nil)
        #expect(harness.eventKinds.filter { $0 == .stepRetryScheduled }.count == 2)
    }

    @Test("a permanent failure compensates from the failed step itself down to step 0, in reverse order")
    func permanentFailureCompensates() {
        var harness = MachineHarness(steps: Self.steps(4))
        let status = harness.runToEnd { _, run, _ in
            if run.phase == .execute, run.index == 2 { return .failed(message: "422 invalid", retryable: false, retryAfter: nil) }
            return run.phase == .execute ? .done([:]) : .compensated
        }
        #expect(status == .rolledBack)
        #expect(harness.forwardRuns == [0, 1, 2])
        #expect(harness.compensationRuns == [2, 1, 0])
        #expect(harness.model.ledger.map(\.status) == [.compensated, .compensated, .compensated])
        #expect(harness.model.saga.error == "step 2 (s2) failed: 422 invalid")
        #expect(harness.requested.last?.locks == .keep)  // no lock keys
    }

    @Test("a template that holds failed sagas stops at the failed step, keeps its lock keys, compensates nothing")
    func holdOnFailure() {
        var harness = MachineHarness(steps: Self.steps(3), holdOnFailure: true, lockKeys: ["droplet:1"])
        let status = harness.runToEnd { _, run, _ in
            run.index == 1 ? .failed(message: "boom", retryable: false, retryAfter: nil) : .done([:])
        }
        #expect(status == .failed)
        #expect(harness.compensationRuns.isEmpty)
        #expect(harness.model.ledger.map(\.status) == [.completed, .failed])
        #expect(harness.requested.last?.locks == .keep)
        #expect(harness.model.saga.error?.contains("held for an operator") == true)
    }

    @Test("a compensation that fails for good marks its step, carries on with the others, ends failed and keeps the keys")
    func compensationFailure() {
        var harness = MachineHarness(steps: Self.steps(3), lockKeys: ["dns:x"])
        let status = harness.runToEnd { _, run, _ in
            switch (run.phase, run.index) {
            case (.execute, 2): return .failed(message: "no", retryable: false, retryAfter: nil)
            case (.execute, _): return .done([:])
            case (.compensate, 1): return .failed(message: "API down", retryable: true, retryAfter: nil)
            case (.compensate, _): return .compensated
            }
        }
        #expect(status == .failed)
        #expect(harness.compensationRuns == [2, 1, 1, 1, 0])
        #expect(harness.model.ledger.map(\.status) == [.compensated, .compensationFailed, .compensated])
        #expect(harness.model.saga.error?.contains("compensation failed for step(s) 1 (s1)") == true)
        #expect(harness.requested.last?.locks == .keep)
        #expect(harness.eventKinds.filter { $0 == .compensationRetryScheduled }.count == 2)
    }

    @Test("operator retry gives every compensation a fresh retry budget")
    func retryResetsCompensationBudget() {
        var harness = MachineHarness(steps: Self.steps(2), lockKeys: ["k"])
        var fixedAfter = 2
        _ = harness.runToEnd { _, run, _ in
            switch (run.phase, run.index) {
            case (.execute, 1): return .failed(message: "no", retryable: false, retryAfter: nil)
            case (.execute, _): return .done([:])
            case (.compensate, 0): return .compensated
            case (.compensate, _): return .failed(message: "transient", retryable: true, retryAfter: nil)
            }
        }
        #expect(harness.model.saga.status == .failed)
        #expect(harness.model.ledger[1].compensationAttempts == 3)
        // The operator retries; the compensation fails transiently twice more and then works:
        // only a fresh budget (3 attempts) lets it finish.
        let retry = SagaCommit.retryCompensation(harness.model.saga, from: 1, steps: harness.model.ledger, now: harness.now)
        #expect(harness.model.apply(retry).applied)
        #expect(retry.locks == .reacquire(["k"]))
        #expect(harness.model.ledger[1].compensationAttempts == 0)
        let status = harness.runToEnd { _, run, _ in
            guard run.phase == .compensate else { return .done([:]) }
            fixedAfter -= 1
            return fixedAfter >= 0 ? .failed(message: "transient", retryable: true, retryAfter: nil) : .compensated
        }
        #expect(status == .rolledBack)
        #expect(harness.model.ledger[1].compensationAttempts == 3)
    }

    @Test("a step started more often than its policy allows (its worker kept crashing) fails without running")
    func crashLoopFails() {
        var harness = MachineHarness(steps: Self.steps(2))
        // Three claims that each die mid-step (the lease runs out, nothing is written).
        for _ in 0..<3 { harness.runOneClaim { _, _, _ in .interrupted } }
        #expect(harness.stops == ["abandoned", "abandoned", "abandoned"])
        let status = harness.runToEnd { _, run, _ in run.phase == .execute ? .done([:]) : .compensated }
        #expect(status == .rolledBack)
        #expect(harness.forwardRuns == [0, 0, 0])
        #expect(harness.model.ledger[0].error?.contains("started 4 times without finishing (maximum 3)") == true)
    }

    @Test("a compensation started more often than its policy allows fails without running again")
    func compensationCrashLoopFails() {
        var harness = MachineHarness(steps: Self.steps(1))
        // The step fails; each compensation attempt then dies with its worker.
        harness.runOneClaim { _, run, _ in run.phase == .execute ? .failed(message: "no", retryable: false, retryAfter: nil) : .interrupted }
        for _ in 0..<2 { harness.runOneClaim { _, _, _ in .interrupted } }
        let status = harness.runToEnd { _, _, _ in .compensated }
        #expect(status == .failed)
        #expect(harness.compensationRuns == [0, 0, 0])
        #expect(harness.model.ledger[0].error?.contains("compensation was started 3 times without finishing") == true)
    }

    @Test("a step that times out is retried like a transient failure; so is a compensation")
    func timeouts() {
        var harness = MachineHarness(steps: Self.steps(1))
        let status = harness.runToEnd { _, run, _ in run.attempt == 1 ? .timedOut : .done([:]) }
        #expect(status == .completed)
        #expect(harness.model.events.contains { $0.kind == .stepRetryScheduled && $0.detail?.contains("timed out after 60.0 s") == true })
        #expect(harness.runs.first?.deadline == Date(timeIntervalSince1970: 1_800_000_060))
    }

    @Test("an unknown stored step fails clearly and compensation starts below it")
    func unknownStep() {
        var harness = MachineHarness(steps: Self.steps(1))
        harness.model.saga.stepNames.append("gone")
        let status = harness.runToEnd { _, run, _ in run.phase == .execute ? .done([:]) : .compensated }
        #expect(status == .rolledBack)
        #expect(harness.forwardRuns == [0])
        #expect(harness.compensationRuns == [0])
        #expect(harness.model.ledger.map(\.status) == [.compensated, .failed])
        #expect(harness.model.saga.error?.contains("step 'gone' is not registered") == true)
    }

    @Test("steps without compensation are marked compensated together, in one write")
    func noCompensationBatch() {
        var steps = Self.steps(4)
        steps[1].hasCompensation = false
        steps[2].hasCompensation = false
        var harness = MachineHarness(steps: steps)
        let status = harness.runToEnd { _, run, _ in
            run.phase == .execute && run.index == 3
                ? .failed(message: "no", retryable: false, retryAfter: nil)
                : run.phase == .execute ? .done([:]) : .compensated
        }
        #expect(status == .rolledBack)
        #expect(harness.compensationRuns == [3, 0])
        let batch = harness.requested.first { $0.stepUpdates.count == 2 }
        #expect(batch?.stepUpdates.map(\.index) == [2, 1])
        #expect(batch?.currentStep == 0)
    }

    @Test("cancel before a step compensates what ran; cancel during a step interrupts it; a finished step is recorded first")
    func cancel() {
        for (cancelAt, interrupted) in [(1, false), (1, true), (2, false)] {
            var harness = MachineHarness(steps: Self.steps(3))
            let status = harness.runToEnd { world, run, _ in
                guard run.phase == .execute else { return .compensated }
                if run.index == cancelAt {
                    world.cancelRequested = true
                    return interrupted ? .failed(message: "cancelled", retryable: false, retryAfter: nil) : .done(["late": true])
                }
                return .done([:])
            }
            #expect(status == .rolledBack)
            #expect(harness.forwardRuns == Array(0...cancelAt))
            #expect(harness.compensationRuns == Array((0...cancelAt).reversed()))
            #expect(harness.model.saga.error == "cancelled by operator")
            if interrupted { #expect(harness.model.events.contains { $0.detail == "interrupted by cancel: cancelled" }) }
        }
    }

    @Test("an operator cancel does not interrupt a compensation; a compensation is never cancellable")
    func compensationsAreNotCancellable() {
        var harness = MachineHarness(steps: Self.steps(2))
        _ = harness.runToEnd { world, run, _ in
            if run.phase == .compensate { world.cancelRequested = true }
            return run.phase == .execute && run.index == 1
                ? .failed(message: "no", retryable: false, retryAfter: nil) : run.phase == .execute ? .done([:]) : .compensated
        }
        #expect(harness.runs.filter { $0.phase == .compensate }.allSatisfy { !$0.cancellableByOperator })
        #expect(harness.runs.filter { $0.phase == .execute }.allSatisfy { $0.cancellableByOperator })
        #expect(harness.model.saga.status == .rolledBack)
    }

    @Test(
        "on shutdown the saga is handed back after the running step's result is committed; no new step starts; the next claim counts no extra attempt"
    )
    func shutdownHandsBack() {
        var harness = MachineHarness(steps: Self.steps(3))
        harness.runOneClaim { world, run, _ in
            if run.index == 0 { world.shuttingDown = true }
            return .done([:])
        }
        #expect(harness.forwardRuns == [0])
        #expect(harness.stops == ["handedBack"])
        #expect(harness.requested.last?.waitKind == .handoff)
        #expect(harness.requested.last?.claimNext == nil)
        #expect(harness.model.saga.leaseOwner == nil)
        #expect(harness.model.ledger[1].attempts == 1)
        harness.world.shuttingDown = false
        let status = harness.runToEnd { _, _, _ in .done([:]) }
        #expect(status == .completed)
        // Step 1's attempt was recorded by the commit before the hand-back; the next claim did not count another.
        #expect(harness.model.ledger.map(\.attempts) == [1, 1, 1])
    }

    @Test("a saga claimed while its worker shuts down is handed back without running anything")
    func claimedDuringShutdown() {
        var harness = MachineHarness(steps: Self.steps(1, policy: .never))
        harness.world.shuttingDown = true
        harness.runOneClaim { _, _, _ in .done([:]) }
        #expect(harness.runs.isEmpty)
        #expect(harness.stops == ["handedBack"])
        harness.world.shuttingDown = false
        // A single-attempt step still gets its one attempt.
        let status = harness.runToEnd { _, _, _ in .done([:]) }
        #expect(status == .completed)
        #expect(harness.model.ledger[0].attempts == 1)
    }

    @Test("a commit fenced out at any point stops the worker at once, without writing anything more")
    func fencedAtEveryCommit() {
        for ordinal in 1...4 {
            var harness = MachineHarness(steps: Self.steps(3))
            harness.world.fenceCommit = ordinal
            let runsBefore = harness.runs.count
            harness.runOneClaim { _, run, _ in run.index == 2 ? .failed(message: "no", retryable: false, retryAfter: nil) : .done([:]) }
            #expect(harness.stops == ["lost"], "fenced commit \(ordinal)")
            #expect(harness.requested.count == ordinal, "nothing after the fenced commit \(ordinal)")
            // Steps 0, 1 and 2 each precede a commit; the fourth commit begins a compensation, no step runs before it.
            #expect(harness.runs.count - runsBefore == min(ordinal, 3), "a step ran after the fence (commit \(ordinal))")
        }
    }

    @Test("an interrupted run (the worker's own cancellation) writes nothing")
    func interruptedWritesNothing() {
        var harness = MachineHarness(steps: Self.steps(2))
        harness.runOneClaim { _, run, _ in run.index == 0 ? .done([:]) : .interrupted }
        #expect(harness.stops == ["abandoned"])
        #expect(harness.requested.count == 1)
    }

    @Test("commits keep the lease as it is: renewing it is the guard's job, so a step's update leaves run_at alone")
    func commitsKeepTheLease() {
        var registry = SagaRegistry()
        registry.register(ScriptedStep(name: "s0"))
        registry.register(ScriptedStep(name: "s1"))
        var model = LedgerModel(steps: ["s0", "s1"])
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let claimed = model.claim(now: start)
        let configuration = SagaStateMachine.Configuration(workerID: "w", leaseDuration: .seconds(30), claimNext: false)
        for elapsed in [1.0, 20.0, 29.0] {
            var machine = SagaStateMachine(claimed, registry: registry, configuration: configuration)
            let expiry = start.addingTimeInterval(30 + elapsed)
            _ = machine.start(.init(now: start, leaseExpiry: claimed.saga.runAt))
            let now = start.addingTimeInterval(elapsed)
            guard case .commit(let commit) = machine.stepReturned(.done([:]), .init(now: now, leaseExpiry: expiry)) else {
                Issue.record("expected a commit")
                return
            }
            #expect(commit.runAt == expiry, "after \(elapsed) s")
        }
    }

    @Test("without claimNext (saga run) or while shutting down, final commits claim nothing")
    func claimNextOnlyWhenAccepting() {
        var harness = MachineHarness(steps: Self.steps(1))
        harness.configuration.claimNext = false
        _ = harness.runToEnd { _, _, _ in .done([:]) }
        #expect(harness.requested.allSatisfy { $0.claimNext == nil })
    }

    // MARK: Every path

    enum Behaviour: String, CaseIterable, CustomTestStringConvertible {
        case permanentFailure, transientThenOK, transientForever, timeoutOnce, pollTwice, cancelBefore, cancelDuring, shutdownAfter, crashOnce
        var testDescription: String { rawValue }
    }

    enum CompensationBehaviour: String, CaseIterable, CustomTestStringConvertible {
        case succeeds, transientThenOK, failsForGood, crashOnce
        var testDescription: String { rawValue }
    }

    @Test(
        "every step × behaviour × compensation outcome × failure policy ends terminal, in order, within budgets",
        arguments: Behaviour.allCases, CompensationBehaviour.allCases)
    func everyPath(behaviour: Behaviour, compensation: CompensationBehaviour) {
        for count in 1...3 {
            for at in 0..<count {
                for hold in [false, true] {
                    check(count: count, at: at, hold: hold, behaviour: behaviour, compensation: compensation)
                }
            }
        }
    }

    private func check(count: Int, at: Int, hold: Bool, behaviour: Behaviour, compensation: CompensationBehaviour) {
        let label = "\(count) steps, \(behaviour) at \(at), compensation \(compensation), hold \(hold)"
        var harness = MachineHarness(steps: Self.steps(count), holdOnFailure: hold, lockKeys: ["k"])
        var crashed = Set<String>()
        var cancelled = false
        let status = harness.runToEnd { world, run, model in
            let key = "\(run.phase)\(run.index)"
            if run.phase == .compensate {
                switch compensation {
                case .succeeds: return .compensated
                case .transientThenOK: return run.attempt < 2 ? .failed(message: "503", retryable: true, retryAfter: nil) : .compensated
                case .failsForGood: return .failed(message: "gone wrong", retryable: false, retryAfter: nil)
                case .crashOnce: return crashed.insert(key).inserted ? .interrupted : .compensated
                }
            }
            guard run.index == at else { return .done(["s\(run.index)": true]) }
            switch behaviour {
            case .permanentFailure: return .failed(message: "422", retryable: false, retryAfter: nil)
            case .transientThenOK: return run.attempt < 3 ? .failed(message: "503", retryable: true, retryAfter: nil) : .done([:])
            case .transientForever: return .failed(message: "503", retryable: true, retryAfter: nil)
            case .timeoutOnce: return run.attempt == 1 ? .timedOut : .done([:])
            case .pollTwice: return run.polls < 2 ? .pollAgain(after: .seconds(1), outputs: [:]) : .done([:])
            case .cancelBefore:
                // The cancel arrives before this step's next commit: the step's result is recorded, then compensation.
                world.cancelRequested = true
                cancelled = true
                return .done([:])
            case .cancelDuring:
                world.cancelRequested = true
                cancelled = true
                return .failed(message: "cancelled", retryable: false, retryAfter: nil)
            case .shutdownAfter:
                if crashed.insert("shutdown").inserted { world.shuttingDown = true }
                return .done([:])
            case .crashOnce: return crashed.insert(key).inserted ? .interrupted : .done([:])
            }
        }
        let ledger = harness.model.ledger
        #expect(status.isTerminal, "\(label): not terminal")
        // Forward steps run in order and never after their compensation began.
        #expect(harness.forwardRuns == harness.forwardRuns.sorted(), "\(label): forward order")
        if let firstCompensation = harness.runs.firstIndex(where: { $0.phase == .compensate }) {
            #expect(!harness.runs[firstCompensation...].contains { $0.phase == .execute }, "\(label): execute after compensation began")
        }
        // Compensations walk down, each step at most once to success.
        let compensated = harness.model.events.filter { $0.kind == .stepCompensated }.compactMap(\.stepIndex)
        #expect(compensated == compensated.sorted(by: >), "\(label): compensation order \(compensated)")
        #expect(Set(compensated).count == compensated.count, "\(label): a step compensated twice")
        // Budgets: no step ran more attempts than its policy allows.
        #expect(ledger.allSatisfy { $0.attempts <= 3 && $0.compensationAttempts <= 3 }, "\(label): budget")
        switch status {
        case .completed:
            #expect(!cancelled && behaviour != .permanentFailure && behaviour != .transientForever, "\(label): completed")
            #expect(ledger.count == count && ledger.allSatisfy { $0.status == .completed }, "\(label): ledger")
            #expect(harness.requested.last?.locks == .release, "\(label): keys released")
        case .rolledBack:
            #expect(ledger.allSatisfy { $0.status == .compensated }, "\(label): all compensated")
            #expect(harness.requested.last?.locks == .release, "\(label): keys released")
            #expect(compensation != .failsForGood || ledger.isEmpty, "\(label): rolled back although a compensation failed")
        case .failed:
            let held = ledger.contains { $0.status == .failed } && !ledger.contains { $0.status == .compensated || $0.status == .compensationFailed }
            #expect(held ? hold : ledger.contains { $0.status == .compensationFailed }, "\(label): failed without a reason")
            #expect(harness.requested.last?.locks == .keep, "\(label): a failed saga keeps its keys")
        default:
            Issue.record("\(label): unexpected status \(status)")
        }
        if behaviour == .shutdownAfter, at < count - 1 { #expect(harness.stops.contains("handedBack"), "\(label): handed back") }
    }
}
