import Foundation

@testable import SagaEngine

/// A registered step whose behaviour a test script decides (the machine only reads its policy).
struct ScriptedStep: SagaStep {
    let name: String
    var retryPolicy: RetryPolicy = RetryPolicy(maximumAttempts: 3, initialBackoff: .seconds(1), jitter: 0)
    var timeout: Duration? = .seconds(60)
    var hasCompensation = true
    func execute(_ context: StepContext) async throws -> StepOutcome { .done }
}

/// Drives ``SagaStateMachine`` against a ``LedgerModel`` until the saga is terminal: claiming it
/// again after each park or hand-back (as another worker would), and answering every step run
/// from a script.
struct MachineHarness {
    /// What the script may change while the saga runs.
    struct World {
        var shuttingDown = false
        var cancelRequested = false
        /// Fence out the commit with this ordinal (1 = the first commit of the run).
        var fenceCommit: Int?
    }

    var model: LedgerModel
    let registry: SagaRegistry
    var configuration = SagaStateMachine.Configuration(workerID: "test-worker", leaseDuration: .seconds(30), claimNext: true)
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var world = World()
    /// Every step run, in order.
    var runs: [SagaStateMachine.StepRun] = []
    /// How each claim's execution stopped.
    var stops: [String] = []
    /// Every commit the machine asked for (applied or fenced).
    var requested: [SagaCommit] = []
    private(set) var claims = 0

    init(steps: [ScriptedStep], holdOnFailure: Bool = false, lockKeys: [String] = []) {
        var registry = SagaRegistry()
        for step in steps { registry.register(step) }
        self.registry = registry
        model = LedgerModel(steps: steps.map(\.name), holdOnFailure: holdOnFailure, lockKeys: lockKeys)
    }

    /// Runs claims until the saga is terminal (or `maximumClaims` have run).
    mutating func runToEnd(
        maximumClaims: Int = 50, _ script: (inout World, SagaStateMachine.StepRun, LedgerModel) -> SagaStateMachine.StepResult
    ) -> SagaStatus {
        while !model.saga.status.isTerminal, claims < maximumClaims {
            runOneClaim(script)
            // Another worker, later, without the previous worker's signals.
            world.shuttingDown = false
        }
        return model.saga.status
    }

    /// One claim of the saga, executed until the machine stops.
    mutating func runOneClaim(_ script: (inout World, SagaStateMachine.StepRun, LedgerModel) -> SagaStateMachine.StepResult) {
        claims += 1
        now = max(now, model.saga.runAt)
        let claimed = model.claim(now: now)
        let token = claimed.saga.fencingToken
        var leaseExpiry = claimed.saga.runAt
        var machine = SagaStateMachine(claimed, registry: registry, configuration: configuration)
        func signals(_ world: World, _ now: Date) -> SagaStateMachine.Signals {
            .init(now: now, leaseExpiry: leaseExpiry, shuttingDown: world.shuttingDown, cancelRequested: world.cancelRequested, random: 0.5)
        }
        var action = machine.start(signals(world, now))
        var commitOrdinal = 0
        while true {
            switch action {
            case .run(let run):
                runs.append(run)
                let result = script(&world, run, model)
                if world.cancelRequested { model.saga.cancelRequested = true }
                now = now.addingTimeInterval(1)
                action = machine.stepReturned(result, signals(world, now))
            case .commit(let commit):
                precondition(commit.fencingToken == token, "a commit must carry the token of the claim")
                requested.append(commit)
                commitOrdinal += 1
                let result = world.fenceCommit == commitOrdinal ? .fenced : model.apply(commit)
                if world.fenceCommit == commitOrdinal {
                    // Another worker took the saga over meanwhile.
                    model.saga.fencingToken += 1
                    world.fenceCommit = nil
                }
                if result.applied, !commit.releaseLease { leaseExpiry = max(leaseExpiry, commit.runAt) }
                action = machine.committed(result, signals(world, now))
            case .loadLedger:
                action = machine.ledgerLoaded(model.ledger, signals(world, now))
            case .stop(let stop):
                stops.append(Self.describe(stop))
                if case .lost = stop, !model.saga.status.isTerminal {
                    // The worker that took over runs it from where the store says.
                    model.saga.leaseOwner = nil
                    model.saga.runAt = now
                }
                if case .abandoned = stop { model.saga.runAt = leaseExpiry }
                return
            }
        }
    }

    static func describe(_ stop: SagaStateMachine.Stop) -> String {
        switch stop {
        case .finished(let status, _): return "finished:\(status.rawValue)"
        case .parked(_, let kind, _): return "parked:\(kind.rawValue)"
        case .handedBack: return "handedBack"
        case .lost: return "lost"
        case .abandoned: return "abandoned"
        }
    }

    /// The steps executed forward, by index, in order.
    var forwardRuns: [Int] { runs.filter { $0.phase == .execute }.map(\.index) }
    /// The compensations run, by index, in order.
    var compensationRuns: [Int] { runs.filter { $0.phase == .compensate }.map(\.index) }
    /// The event kinds written, in order.
    var eventKinds: [SagaEventKind] { model.events.map(\.kind) }
}
