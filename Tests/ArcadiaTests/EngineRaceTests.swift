import ArcadiaStorage
import Foundation
import SagaEngine
import Testing

/// The races and gaps of issue 7, each with the test that failed before its fix; on every backend.
@Suite("Engine races and gaps", .timeLimit(.minutes(3)))
struct EngineRaceTests {
    private static func probe() -> String { UUID().uuidString }

    /// Two workers on one store, each in its own engine (as in two processes).
    private static func withTwoWorkers<T: Sendable>(
        _ backend: Backend, configuration: SagaEngine.Configuration, clock: any SagaClock = SystemClock(), concurrency: Int = 1,
        _ body: @Sendable (SagaEngine, SagaEngine) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withStore(backend) { store, _ in
            let first = SagaEngine(store: store, registry: .testing, clock: clock, configuration: configuration, logger: TestDatabase.logger)
            let second = SagaEngine(store: store, registry: .testing, clock: clock, configuration: configuration, logger: TestDatabase.logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                for engine in [first, second] {
                    group.addTask {
                        try await engine.makeWorker(configuration: .init(concurrency: concurrency)).run()
                        return nil
                    }
                }
                defer { group.cancelAll() }
                return try await body(first, second)
            }
        }
    }

    @Test(
        "a saga started in this process starts in an idle slot at once or waits in the store, never queued in memory past its lease",
        arguments: Backend.enabled)
    func noSagaWaitsInMemory(backend: Backend) async throws {
        let probe = Self.probe()
        // Each step holds until both sagas are in it: a saga left queued in memory behind the
        // other could only get there once its lease ran out and the second worker re-claimed it
        // (a reclaimed event, and a second run). The lease is long enough that heartbeats delayed
        // by a loaded machine (a whole suite in parallel on two cores) do not let it lapse: only a
        // saga that never started would.
        let configuration = SagaEngine.Configuration(
            leaseDuration: .seconds(15), heartbeatInterval: .milliseconds(500), pollInterval: .milliseconds(50))
        try await Self.withTwoWorkers(backend, configuration: configuration) { engine, _ in
            async let a = engine.start("t-slow-effect", inputs: ["probe": .string(probe)])
            async let b = engine.start("t-slow-effect", inputs: ["probe": .string(probe)])
            let ids = [try await a.saga.id, try await b.saga.id]
            try await Probe.shared.waitEntered(probe + ":entered", count: 2, timeout: .seconds(45))
            Probe.shared.set(probe + ":release")
            for id in ids { #expect(try await engine.waitUntilTerminal(id, timeout: .seconds(60)).status == .completed) }
            for id in ids {
                #expect(Probe.shared.log(probe).filter { $0 == "run \(id)" }.count == 1, "saga \(id) ran more than once")
                #expect(Probe.shared.maxActive(probe + ":" + id.uuidString) == 1)
                // A delivery that meets a claim filling the same slot is handed back unstarted (and
                // claimed again at once): that is safe. Waiting out a lease is not.
                let detail = try await engine.detail(id)
                #expect(!detail.events.contains { $0.kind == .reclaimed }, "saga \(id) waited out a lease")
                #expect(detail.steps.map(\.attempts) == [1], "saga \(id): \(detail.steps.map(\.attempts))")
            }
        }
    }

    @Test(
        "a saga delivered with less lease left than the worker's safety margin is renewed, not given up (a starter with a shorter lease)",
        .enabled(if: Backend.enabled.contains(.postgres)))
    func shortDeliveryLeaseIsRenewedNotAbandoned() async throws {
        try await TestDatabase.withStore(.postgres) { store, _ in
            // The starter's 30-s lease gives deliveries a first lease of 10 s; the worker's margin is
            // 18 s (a 180-s lease, heartbeats every 60 s): without a renewal first, its guard would
            // call the lease lost at once and the saga would wait its 10 s out.
            let starter = SagaEngine(
                store: store, registry: .testing, configuration: .init(leaseDuration: .seconds(30)), logger: TestDatabase.logger)
            let worker = SagaEngine(
                store: store, registry: .testing,
                configuration: .init(leaseDuration: .seconds(180), heartbeatInterval: .seconds(60), pollInterval: .seconds(30)),
                logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.makeWorker(configuration: .init(concurrency: 2)).run() }
                defer { group.cancelAll() }
                // Wait until the worker has claimed once (it is registered and listening by then).
                let warmup = try await starter.start("test-echo", inputs: ["steps": 1]).saga.id
                _ = try await starter.waitUntilTerminal(warmup, timeout: .seconds(40))
                for _ in 0..<5 {
                    let id = try await starter.start("test-echo", inputs: ["steps": 2]).saga.id
                    let done = try await starter.waitUntilTerminal(id, timeout: .seconds(8))
                    #expect(done.status == .completed)
                    let kinds = try await starter.detail(id).events.map(\.kind)
                    #expect(!kinds.contains(.reclaimed), "saga \(id) waited out its delivery lease: \(kinds)")
                }
            }
        }
    }

    @Test(
        "graceful shutdown: running steps finish, every saga held is handed back, nothing waits out a lease, no attempt counts twice",
        arguments: Backend.enabled)
    func gracefulShutdownHandsBackEverything(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withStore(backend) { store, _ in
            let engine = SagaEngine(store: store, registry: .testing, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger)
            let gated = try await engine.start("t-gate", inputs: ["probe": .string(probe)], options: .init(notifyWorkers: false)).saga.id
            var quick: [UUID] = []
            for _ in 0..<60 {
                quick.append(
                    try await engine.start("t-single-attempt", inputs: ["probe": .string(probe)], options: .init(notifyWorkers: false)).saga.id)
            }
            let first = engine.makeWorker(configuration: .init(concurrency: 4))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.run() }
                try await Probe.shared.waitEntered(probe + ":gate")
                try await Probe.shared.waitEntered(probe + ":quick", count: 3)
                // Stop while the other slots are busy with quick sagas (their final commits claim the next).
                first.stopGracefully()
                Probe.shared.set(probe + ":open")
                try await group.waitForAll()
            }
            // Nothing is left leased by the stopped worker.
            let leftovers = try await store.sagas(ids: quick + [gated]).filter { !$0.status.isTerminal }
            #expect(leftovers.allSatisfy { $0.leaseOwner == nil }, "sagas still leased: \(leftovers.filter { $0.leaseOwner != nil }.map(\.id))")
            let gatedDetail = try await engine.detail(gated)
            #expect(gatedDetail.steps[1].status == .completed, "the running step finished")
            #expect(gatedDetail.events.contains { $0.kind == .handedBack })
            // Another worker continues at once: nothing waits out the 30-second lease.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 4)).run() }
                defer { group.cancelAll() }
                for id in quick + [gated] {
                    let done = try await engine.waitUntilTerminal(id, timeout: .seconds(20))
                    #expect(done.status == .completed)
                }
            }
            for id in quick {
                let detail = try await engine.detail(id)
                #expect(detail.steps.map(\.attempts) == [1], "single-attempt saga \(id): \(detail.steps.map(\.attempts))")
                #expect(!detail.events.contains { $0.kind == .reclaimed })
            }
        }
    }

    @Test(
        "a saga claimed by a final commit in flight when shutdown begins is handed back without running, its attempt counted once",
        arguments: Backend.enabled)
    func claimInFlightAtShutdownIsHandedBack(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withStore(backend) { base, _ in
            let store = FaultyStore(base)
            let engine = SagaEngine(store: store, registry: .testing, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger)
            let first = engine.makeWorker(configuration: .init(concurrency: 1))
            let (gated, next) = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.run() }
                let gated = try await engine.start("t-gate", inputs: ["probe": .string(probe)]).saga.id
                try await Probe.shared.waitEntered(probe + ":gate")
                // The only slot is busy: this one waits in the store (single attempt allowed).
                let next = try await engine.start("t-single-attempt", options: .init(notifyWorkers: false)).saga.id
                store.holdCommitsThatClaim()
                Probe.shared.set(probe + ":open")
                // The gated saga's final commit, which also claims `next`, is on its way when SIGTERM comes.
                try await withTimeout(.seconds(20)) { await store.waitUntilCommitHeld() }
                first.stopGracefully()
                store.releaseHeldCommits()
                try await group.waitForAll()
                return (gated, next)
            }
            #expect(try await engine.detail(gated).saga.status == .completed)
            let handed = try await engine.detail(next)
            #expect(handed.saga.leaseOwner == nil, "left leased: it would wait out the lease")
            #expect(handed.events.map(\.kind).contains(.handedBack))
            #expect(handed.steps.map(\.attempts) == [1])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 1)).run() }
                defer { group.cancelAll() }
                let done = try await engine.waitUntilTerminal(next, timeout: .seconds(20))
                #expect(done.status == .completed, "\(done.error ?? "")")
            }
            #expect(try await engine.detail(next).steps.map(\.attempts) == [1])
        }
    }

    @Test("a failed saga keeps its lock keys until settled; a saga waiting for the key says which saga holds it", arguments: Backend.enabled)
    func failedSagaKeepsKeys(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            let holder = try await engine.start(
                "t-compensation-fails", inputs: ["probe": .string(probe)], options: .init(lockKeys: ["droplet:7"])
            ).saga.id
            #expect(try await engine.waitUntilTerminal(holder).status == .failed)
            let waiter = try await engine.start("test-echo", inputs: ["steps": 1], options: .init(lockKeys: ["droplet:7"])).saga.id
            let blocked = try await engine.detail(waiter)
            #expect(blocked.saga.status == .pending)
            #expect(blocked.saga.lockBlocked)
            #expect(blocked.blockedBy.map(\.sagaID) == [holder])
            #expect(blocked.blockedBy.first?.key == "droplet:7" && blocked.blockedBy.first?.status == .failed)
            #expect(blocked.events.contains { $0.kind == .lockWaiting })
            #expect(try await engine.store.countDue(now: Date().addingTimeInterval(60)) == 0)
            // The operator fixes the leftovers' cause and retries: the holder rolls back, the waiter runs.
            Probe.shared.set(probe + ":fixed")
            try await engine.retry(holder)
            #expect(try await engine.waitUntilTerminal(holder).status == .rolledBack)
            #expect(try await engine.waitUntilTerminal(waiter).status == .completed)
        }
    }

    @Test("operator retry gives each compensation a fresh retry budget", arguments: Backend.enabled)
    func retryResetsCompensationBudget(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            // The compensation fails on its first three calls; its policy allows two attempts.
            let saga = try await engine.start("t-compensation-budget", inputs: ["probe": .string(probe), "fail_compensations": 3]).saga.id
            #expect(try await engine.waitUntilTerminal(saga).status == .failed)
            #expect(try await engine.detail(saga).steps[0].compensationAttempts == 2)
            try await engine.retry(saga)
            // Call 3 fails (attempt 1 of a fresh budget of 2), call 4 succeeds.
            #expect(try await engine.waitUntilTerminal(saga).status == .rolledBack)
            let step = try await engine.detail(saga).steps[0]
            #expect(step.status == .compensated)
            #expect(step.compensationAttempts == 2)
            #expect(Probe.shared.enteredCount(probe + ":compensation") == 4)
        }
    }

    @Test("a step timeout fires when it is due, not at the next heartbeat", arguments: Backend.enabled)
    func timeoutFiresWhenDue(backend: Backend) async throws {
        let probe = Self.probe()
        let clock = ManualClock(now: Date())
        // Heartbeats every five minutes: only the step's own deadline can interrupt it.
        let configuration = SagaEngine.Configuration(leaseDuration: .seconds(900), heartbeatInterval: .seconds(300), pollInterval: .seconds(600))
        try await TestDatabase.withEngine(backend, configuration: configuration, clock: clock) { engine in
            let saga = try await engine.start("t-timeout", inputs: ["probe": .string(probe)]).saga.id
            try await Probe.shared.waitEntered(probe + ":times_out")
            clock.advance(by: .seconds(6))
            let done = try await engine.waitUntilTerminal(saga, timeout: .seconds(20))
            #expect(done.status == .rolledBack)
            #expect(done.error?.contains("timed out after 5.0 s") == true)
        }
    }

    @Test("a worker that can no longer renew its lease stops the step before the lease runs out, and writes nothing", arguments: Backend.enabled)
    func failingHeartbeatsStopTheStep(backend: Backend) async throws {
        let probe = Self.probe()
        let clock = ManualClock(now: Date())
        let configuration = SagaEngine.Configuration(leaseDuration: .seconds(10), heartbeatInterval: .seconds(2), pollInterval: .seconds(600))
        try await TestDatabase.withStore(backend) { base, _ in
            let store = FaultyStore(base)
            let engine = SagaEngine(store: store, registry: .testing, clock: clock, configuration: configuration, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 1)).run() }
                defer { group.cancelAll() }
                let saga = try await engine.start("t-blocking", inputs: ["probe": .string(probe)]).saga
                try await Probe.shared.waitEntered(probe + ":blocking")
                let expiry = try #require(try await store.saga(id: saga.id)).runAt
                store.failHeartbeats(true)
                // Time passes in half-second steps; the step must be interrupted before the lease ends.
                var interruptedAt: Date?
                while clock.now < expiry {
                    clock.advance(by: .milliseconds(500))
                    if (try? await Probe.shared.waitEntered(probe + ":interrupted", timeout: .milliseconds(300))) != nil {
                        interruptedAt = clock.now
                        break
                    }
                }
                let at = try #require(interruptedAt, "the step ran on past its lease")
                #expect(at < expiry)
                try await engine.waitUntilReleased(saga.id, timeout: .seconds(10))
                // Nothing was written for the interrupted step: it is still running, leased, uncompensated.
                let detail = try await engine.detail(saga.id)
                #expect(detail.saga.status == .running)
                #expect(detail.steps.map(\.status) == [.completed, .running])
                #expect(!detail.events.contains { $0.kind == .compensationStarted })
            }
        }
    }

    @Test("a saga with several lock keys waits for all of them; many such sagas never deadlock or overlap", arguments: Backend.enabled)
    func severalLockKeys(backend: Backend) async throws {
        let probe = Self.probe()
        let keySets = ["a,b", "b,c", "c,a", "a", "b,c,d", "d,a", "c", "a,b,c,d"]
        try await TestDatabase.withEngine(backend, concurrency: 6) { engine in
            let ids = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for starter in 0..<3 {
                    group.addTask {
                        var ids: [UUID] = []
                        for round in 0..<4 {
                            let keys = keySets[(starter * 4 + round) % keySets.count]
                            ids.append(try await engine.start("t-multi-lock", inputs: ["probe": .string(probe), "keys": .string(keys)]).saga.id)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            for id in ids { #expect(try await engine.waitUntilTerminal(id, timeout: .seconds(60)).status == .completed) }
            for key in ["a", "b", "c", "d"] { #expect(Probe.shared.maxActive(probe + ":" + key) == 1, "key \(key) overlapped") }
        }
    }

    @Test("a saga waiting on two keys runs once both holders end, even when they end at the same moment", arguments: Backend.enabled)
    func releasesAtTheSameMoment(backend: Backend) async throws {
        for _ in 0..<5 {
            let probeA = Self.probe()
            let probeB = Self.probe()
            try await TestDatabase.withEngine(backend, concurrency: 4) { engine in
                let a = try await engine.start("t-gate", inputs: ["probe": .string(probeA)], options: .init(lockKeys: ["k:a"])).saga.id
                let b = try await engine.start("t-gate", inputs: ["probe": .string(probeB)], options: .init(lockKeys: ["k:b"])).saga.id
                try await Probe.shared.waitEntered(probeA + ":gate")
                try await Probe.shared.waitEntered(probeB + ":gate")
                let waiter = try await engine.start("test-echo", inputs: ["steps": 1], options: .init(lockKeys: ["k:a", "k:b"])).saga.id
                #expect(try await engine.detail(waiter).blockedBy.count == 2)
                Probe.shared.set(probeA + ":open")
                Probe.shared.set(probeB + ":open")
                for id in [a, b, waiter] { #expect(try await engine.waitUntilTerminal(id, timeout: .seconds(30)).status == .completed) }
            }
        }
    }

    @Test("sagas queued behind a lock key stay out of the claims: other work runs, and the queue drains in order", arguments: Backend.enabled)
    func blockedSagasStayOutOfClaims(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend, concurrency: 4) { engine in
            let holder = try await engine.start("t-gate", inputs: ["probe": .string(probe)], options: .init(lockKeys: ["hot"])).saga.id
            try await Probe.shared.waitEntered(probe + ":gate")
            var queued: [UUID] = []
            for _ in 0..<200 {
                queued.append(try await engine.start("test-echo", inputs: ["steps": 1], options: .init(lockKeys: ["hot"])).saga.id)
            }
            #expect(try await engine.store.countDue(now: Date().addingTimeInterval(3600)) == 0)
            let others = try await (0..<10).asyncMap { _ in try await engine.start("test-echo", inputs: ["steps": 2]).saga.id }
            for id in others { #expect(try await engine.waitUntilTerminal(id).status == .completed) }
            #expect(try await engine.store.sagas(ids: queued).allSatisfy { $0.status == .pending && $0.lockBlocked })
            Probe.shared.set(probe + ":open")
            for id in [holder] + queued { #expect(try await engine.waitUntilTerminal(id, timeout: .seconds(120)).status == .completed) }
            let finished = try await engine.store.sagas(ids: queued).sorted { $0.finishedAt! < $1.finishedAt! }.map(\.id)
            #expect(finished == queued, "the queue ran out of start order")
        }
    }

    @Test("a worker whose claims fail backs off instead of spinning, and recovers", arguments: Backend.enabled)
    func failingClaimsBackOff(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { base, _ in
            let store = FaultyStore(base)
            store.failClaims(true)
            let engine = SagaEngine(store: store, registry: .testing, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 2)).run() }
                defer { group.cancelAll() }
                let started = ContinuousClock.now
                // Five failed claims need at least 50 + 100 + 200 + 400 ms of backoff between them,
                // however often the worker is woken meanwhile.
                for _ in 0..<20 { engine.signalWork() }
                try await withTimeout(.seconds(30)) { await store.waitForClaims(5) }
                #expect(ContinuousClock.now - started >= .milliseconds(750))
                store.failClaims(false)
                // Started elsewhere (no slot reserved for it): the worker finds it by claiming.
                let elsewhere = SagaEngine(store: base, registry: .testing, logger: TestDatabase.logger)
                let saga = try await elsewhere.start("test-echo", inputs: ["steps": 1], options: .init(notifyWorkers: false)).saga.id
                #expect(try await engine.waitUntilTerminal(saga, timeout: .seconds(30)).status == .completed)
            }
        }
    }

    @Test("a parked saga waits for the injected clock and runs as soon as it is due, every time", arguments: Backend.enabled)
    func parkedSagaFollowsTheClock(backend: Backend) async throws {
        let clock = ManualClock(now: Date())
        try await TestDatabase.withEngine(backend, clock: clock) { engine in
            for round in 0..<10 {
                let saga = try await engine.start("test-sleep", inputs: ["seconds": 3600]).saga.id
                _ = try await engine.waitUntil(saga, timeout: .seconds(30)) { $0.status == .waiting }
                clock.advance(by: .seconds(1800))
                #expect(try await engine.detail(saga).saga.status == .waiting, "round \(round)")
                clock.advance(by: .seconds(1801))
                #expect(try await engine.waitUntilTerminal(saga, timeout: .seconds(30)).status == .completed, "round \(round)")
            }
        }
    }
}

extension Sequence {
    /// Maps in order, awaiting each element.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
