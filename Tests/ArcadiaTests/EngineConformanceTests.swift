import ArcadiaStorage
import Foundation
import SagaEngine
import Testing

/// Every runner behaviour, on every backend (SQLite always; PostgreSQL when configured or in CI).
@Suite("Saga engine conformance")
struct EngineConformanceTests {
    private static func probe() -> String { UUID().uuidString }

    @Test("happy path: pending → running → completed, one ledger row per step", arguments: Backend.enabled)
    func happyPath(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, created) = try await engine.start("test-echo", inputs: ["steps": 5, "message": "hi"])
            #expect(created)
            // With an idle slot in this process the saga starts claimed by it (one commit).
            #expect(saga.status == .pending || saga.status == .running)
            #expect(saga.stepNames == Array(repeating: "echo", count: 5))
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .completed)
            #expect(done.leaseOwner == nil)
            #expect(done.finishedAt != nil)
            for index in 0..<5 { #expect(done.context["echoed_at_step_\(index)"] == "hi") }
            let detail = try await engine.detail(saga.id)
            #expect(detail.steps.map(\.status) == Array(repeating: .completed, count: 5))
            #expect(detail.steps.allSatisfy { $0.attempts == 1 && $0.polls == 0 && $0.finishedAt != nil })
            let kinds = detail.events.map(\.kind)
            #expect(kinds.first == .sagaCreated)
            #expect(kinds.contains(.claimed))
            #expect(kinds.filter { $0 == .stepCompleted }.count == 5)
            #expect(kinds.last == .sagaCompleted)
        }
    }

    @Test("a failing step is retried with backoff, then compensation walks back to step 0", arguments: Backend.enabled)
    func failureCompensates(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("test-fail", inputs: ["steps": 4, "fail_at": 2])
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .rolledBack)
            #expect(done.error?.contains("step 2 (fail) failed") == true)
            let detail = try await engine.detail(saga.id)
            // Step 3 never ran; 2 (the failed step itself), 1 and 0 were compensated.
            #expect(detail.steps.map(\.index) == [0, 1, 2])
            #expect(detail.steps.map(\.status) == [.compensated, .compensated, .compensated])
            #expect(detail.steps[2].attempts == 3)
            #expect(detail.steps[2].error?.contains("injected failure on attempt 3") == true)
            #expect(detail.events.filter { $0.kind == .stepRetryScheduled }.count == 2)
            let compensated = detail.events.filter { $0.kind == .stepCompensated }.compactMap(\.stepIndex)
            #expect(compensated == [2, 1, 0])
            #expect(detail.events.last?.kind == .sagaRolledBack)
        }
    }

    @Test("a retryable failure that clears completes the saga", arguments: Backend.enabled)
    func retryThenSucceed(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("test-fail", inputs: ["steps": 3, "fail_at": 1, "fail_attempts": "2"])
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .completed)
            let steps = try await engine.detail(saga.id).steps
            #expect(steps[1].attempts == 3)
            #expect(steps[1].error == nil)
        }
    }

    @Test("a compensation that fails for good leaves the saga failed; retry finishes it", arguments: Backend.enabled)
    func compensationFailureAndRetry(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("t-compensation-fails", inputs: ["probe": .string(probe)])
            let failed = try await engine.waitUntilTerminal(saga.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.contains("compensation failed for step(s) 1 (flaky_compensation)") == true)
            var steps = try await engine.detail(saga.id).steps
            // It carried on past the step needing a human: step 0 was still compensated.
            #expect(steps.map(\.status) == [.compensated, .compensationFailed, .compensated])
            #expect(steps[1].compensationAttempts == 2)
            await #expect(throws: EngineError.self) { try await engine.resume(saga.id) }

            Probe.shared.set(probe + ":fixed")
            let retried = try await engine.retry(saga.id)
            #expect(retried.status == .compensating)
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .rolledBack)
            steps = try await engine.detail(saga.id).steps
            #expect(steps.map(\.status) == [.compensated, .compensated, .compensated])
            #expect(Probe.shared.log(probe) == ["compensated 1"])
        }
    }

    @Test("a durable wait parks the saga without holding a worker, then resumes as a poll", arguments: Backend.enabled)
    func durableWait(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            // Watch the saga's events from before it starts: the parked state is short-lived.
            let parked = engine.events {
                if case .parked = $0 { return true }
                return false
            }
            let (saga, _) = try await engine.start("test-sleep", inputs: ["seconds": "0.4"])
            var iterator = parked.makeAsyncIterator()
            let event = try #require(await iterator.next())
            guard case .parked(let id, _, let until, let reason, _) = event else { throw TestSetupError("expected a parked event") }
            #expect(id == saga.id && reason == .poll)
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .completed)
            let detail = try await engine.detail(saga.id)
            let step = try #require(detail.steps.first)
            #expect(step.attempts == 1)
            #expect(step.polls == 1)
            #expect(done.finishedAt! >= until)
            #expect(done.finishedAt!.timeIntervalSince(done.createdAt) >= 0.4)
            // Parked, the saga was released (its next run began with a fresh claim).
            let kinds = detail.events.map(\.kind)
            let waiting = try #require(kinds.firstIndex(of: .stepWaiting))
            #expect(kinds[waiting...].contains(.claimed))
        }
    }

    @Test("a parked saga waits for the injected clock", arguments: Backend.enabled)
    func manualClock(backend: Backend) async throws {
        let clock = ManualClock(now: Date())
        try await TestDatabase.withEngine(backend, clock: clock) { engine in
            let (saga, _) = try await engine.start("test-sleep", inputs: ["seconds": 3600])
            _ = try await engine.waitUntil(saga.id, timeout: .seconds(10)) { $0.status == .waiting }
            clock.advance(by: .seconds(1800))
            #expect(try await engine.detail(saga.id).saga.status == .waiting)
            clock.advance(by: .seconds(1801))
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .completed)
        }
    }

    @Test("cancel reaches a running step through task cancellation and compensates", arguments: Backend.enabled)
    func cancelRunningStep(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("t-blocking", inputs: ["probe": .string(probe)])
            try await Probe.shared.waitEntered(probe + ":blocking")
            let cancelled = try await engine.cancel(saga.id)
            #expect(cancelled.cancelRequested)
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .rolledBack)
            #expect(done.error == "cancelled by operator")
            let steps = try await engine.detail(saga.id).steps
            #expect(steps.map(\.status) == [.compensated, .compensated])
            #expect(steps[1].error?.contains("interrupted by cancel") == true)
            #expect(Probe.shared.log(probe) == ["compensated 1"])
        }
    }

    @Test("cancel wakes a waiting saga at once", arguments: Backend.enabled)
    func cancelWaiting(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("test-sleep", inputs: ["seconds": 3600])
            // Generous bounds (a loaded 2-core machine running the whole suite); the waits are events.
            _ = try await engine.waitUntil(saga.id, timeout: .seconds(30)) { $0.status == .waiting }
            try await engine.cancel(saga.id)
            let done = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(30))
            #expect(done.status == .rolledBack)
        }
    }

    @Test("cancel of a saga no worker has touched rolls it back directly", arguments: Backend.enabled)
    func cancelPending(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend, startWorker: false) { engine in
            let (saga, _) = try await engine.start("test-echo")
            let cancelled = try await engine.cancel(saga.id)
            #expect(cancelled.status == .rolledBack)
            #expect(try await engine.detail(saga.id).steps.isEmpty)
            await #expect(throws: EngineError.self) { try await engine.cancel(saga.id) }
        }
    }

    @Test("kill stops a saga without compensation and fences out its worker", arguments: Backend.enabled)
    func kill(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("t-blocking", inputs: ["probe": .string(probe)])
            try await Probe.shared.waitEntered(probe + ":blocking")
            let killed = try await engine.kill(saga.id)
            #expect(killed.status == .killed)
            // Wait for the worker to notice: its step is interrupted and its writes are fenced out.
            try await engine.waitUntilReleased(saga.id, timeout: .seconds(10))
            let detail = try await engine.detail(saga.id)
            #expect(detail.saga.status == .killed)
            #expect(detail.steps.map(\.status) == [.completed, .running])
            #expect(!detail.events.contains { $0.kind.rawValue.contains("compensat") })
            #expect(Probe.shared.log(probe).isEmpty)
            await #expect(throws: EngineError.self) { try await engine.kill(saga.id) }
        }
    }

    @Test("idempotent start returns the existing saga; reuse with other inputs is an error", arguments: Backend.enabled)
    func idempotentStart(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend, startWorker: false) { engine in
            let options = SagaEngine.StartOptions(idempotencyKey: "deploy-42")
            let first = try await engine.start("test-echo", inputs: ["steps": 2], options: options)
            let second = try await engine.start("test-echo", inputs: ["steps": "2"], options: options)
            #expect(first.created)
            #expect(!second.created)
            #expect(first.saga.id == second.saga.id)
            await #expect(throws: EngineError.self) {
                try await engine.start("test-echo", inputs: ["steps": 3], options: options)
            }
            let listed = try await engine.list()
            #expect(listed.count == 1)
        }
    }

    @Test("bad input is rejected at start with every problem named, and nothing is written", arguments: Backend.enabled)
    func badInput(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend, startWorker: false) { engine in
            let unknown = await #expect(throws: EngineError.self) { try await engine.start("no-such-template") }
            #expect(unknown?.code == .unknownTemplate)
            #expect(unknown?.message.contains("test-echo") == true)
            let invalid = await #expect(throws: SagaInputError.self) {
                try await engine.start("test-fail", inputs: ["steps": "many", "colour": "red"])
            }
            #expect(invalid?.problems.count == 3)
            #expect(invalid?.description.contains("unknown input 'colour'") == true)
            #expect(invalid?.description.contains("input 'steps' must be an int, got \"many\"") == true)
            #expect(invalid?.description.contains("missing required input 'fail_at'") == true)
            let range = await #expect(throws: SagaInputError.self) {
                try await engine.start("test-fail", inputs: ["steps": 3, "fail_at": 7])
            }
            #expect(range?.description.contains("fail_at") == true)
            let listed = try await engine.list()
            #expect(listed.isEmpty)
        }
    }

    @Test("a stored step name that no longer resolves fails clearly and compensates what it can", arguments: Backend.enabled)
    func unknownStoredStep(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let now = Date()
            let saga = try await engine.store.createSaga(
                NewSaga(kind: .test, template: "old-template", stepNames: ["echo", "removed_step"], inputs: [:], runAt: now, now: now)
            ).saga
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .rolledBack)
            #expect(done.error?.contains("step 'removed_step' is not registered") == true)
            let steps = try await engine.detail(saga.id).steps
            #expect(steps.map(\.status) == [.compensated, .failed])
        }
    }

    @Test("a held saga resumes from its failed step; cancel of a held saga compensates", arguments: Backend.enabled)
    func resumeHeld(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend) { engine in
            let (saga, _) = try await engine.start("t-hold", inputs: ["probe": .string(probe)])
            let held = try await engine.waitUntilTerminal(saga.id)
            #expect(held.status == .failed)
            #expect(held.error?.contains("held for an operator") == true)
            #expect(try await engine.detail(saga.id).steps.map(\.status) == [.completed, .failed])
            await #expect(throws: EngineError.self) { try await engine.retry(saga.id) }

            Probe.shared.set(probe + ":fixed")
            try await engine.resume(saga.id)
            let done = try await engine.waitUntilTerminal(saga.id)
            #expect(done.status == .completed)
            #expect(done.error == nil)
            let steps = try await engine.detail(saga.id).steps
            #expect(steps.map(\.status) == [.completed, .completed, .completed])
            #expect(steps[1].attempts == 1)

            let (other, _) = try await engine.start("t-hold", inputs: ["probe": .string(Self.probe())])
            _ = try await engine.waitUntilTerminal(other.id)
            try await engine.cancel(other.id)
            #expect(try await engine.waitUntilTerminal(other.id).status == .rolledBack)
            // Templates that compensate cannot be resumed.
            let (plain, _) = try await engine.start("test-fail", inputs: ["steps": 1, "fail_at": 0])
            _ = try await engine.waitUntilTerminal(plain.id)
            await #expect(throws: EngineError.self) { try await engine.resume(plain.id) }
        }
    }

    /// On PostgreSQL the hot-path statements are prepared once per connection. A NULL in the first
    /// execution (a failed step has no output) must not fix a parameter type that a later value
    /// (a completed step's output) cannot be sent as: here every statement shares one connection
    /// (the other one listens), and the first saga to finish is one that failed.
    @Test("prepared statements work whichever transition ran them first on a connection", arguments: Backend.enabled)
    func preparedShapesAcceptEveryTransition(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend, concurrency: 1, maximumConnections: 2) { engine in
            let (held, _) = try await engine.start("t-hold", inputs: ["probe": .string(Self.probe())])
            #expect(try await engine.waitUntilTerminal(held.id, timeout: .seconds(20)).status == .failed)
            let (failed, _) = try await engine.start("test-fail", inputs: ["steps": 2, "fail_at": 1, "fail_attempts": "1"])
            let (echo, _) = try await engine.start("test-echo", inputs: ["steps": 3])
            let (parked, _) = try await engine.start("test-sleep", inputs: ["seconds": 0.05])
            for (id, status) in [(failed.id, SagaStatus.completed), (echo.id, .completed), (parked.id, .completed)] {
                let done = try await engine.waitUntilTerminal(id, timeout: .seconds(20))
                #expect(done.status == status, "saga \(done.template): \(done.error ?? "no error")")
                #expect(try await engine.detail(id).steps.allSatisfy { $0.attempts <= 2 })
            }
        }
    }

    /// Under load, commits of many sagas share transactions (PostgreSQL batches them into one
    /// statement; SQLite groups transactions). Every kind of transition must leave exactly the
    /// ledger it leaves one saga at a time.
    @Test("under load, grouped commits of every kind leave the same ledgers as one saga at a time", arguments: Backend.enabled)
    func groupedCommitsUnderLoad(backend: Backend) async throws {
        let kinds: [(template: String, inputs: [String: JSONValue], status: SagaStatus)] = [
            ("test-echo", ["steps": 5], .completed),
            ("test-fail", ["steps": 4, "fail_at": 2], .rolledBack),
            ("test-fail", ["steps": 3, "fail_at": 1, "fail_attempts": "2"], .completed),
            ("test-sleep", ["seconds": 0.05], .completed),
        ]
        try await TestDatabase.withEngine(backend, concurrency: 16, batchConcurrency: 1) { engine in
            func ledger(_ id: UUID) async throws -> [String] {
                let detail = try await engine.detail(id)
                return detail.steps.map { "\($0.index):\($0.status.rawValue):\($0.attempts)/\($0.polls)/\($0.compensationAttempts)" }
                    + detail.events.map(\.kind.rawValue)
            }
            var references: [[String]] = []
            var commitsAlone = 0
            for kind in kinds {
                let before = engine.store.statistics.commits
                let (saga, _) = try await engine.start(kind.template, inputs: kind.inputs)
                #expect(try await engine.waitUntilTerminal(saga.id, timeout: .seconds(30)).status == kind.status)
                commitsAlone += engine.store.statistics.commits - before
                references.append(try await ledger(saga.id))
            }
            let before = engine.store.statistics
            var started: [(kind: Int, id: UUID)] = []
            for _ in 0..<15 {
                for (index, kind) in kinds.enumerated() {
                    started.append((index, try await engine.start(kind.template, inputs: kind.inputs).saga.id))
                }
            }
            for (kind, id) in started {
                let done = try await engine.waitUntilTerminal(id, timeout: .seconds(60))
                #expect(done.status == kinds[kind].status, "\(kinds[kind].template): \(done.error ?? "")")
                #expect(try await ledger(id) == references[kind])
            }
            if backend == .postgres {
                // Fewer commits than the same sagas took one at a time: commits were written together.
                let commits = engine.store.statistics.commits - before.commits
                #expect(commits < commitsAlone * 15 * 9 / 10, "\(commits) commits, \(commitsAlone * 15) one at a time: little was batched")
            }
        }
    }

    @Test("a worker whose lease was taken over cannot commit anything", arguments: Backend.enabled)
    func fencing(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            let (saga, _) = try await engine.start("test-echo", inputs: ["steps": 3])
            let t0 = Date()
            let a = try #require(try await store.claimOne(ClaimRequest(workerID: "A", now: t0, leaseUntil: t0.addingTimeInterval(1))))
            #expect(a.attempts == 1)
            // A stalls past its lease; B re-claims.
            let t1 = t0.addingTimeInterval(2)
            let b = try #require(try await store.claimOne(ClaimRequest(workerID: "B", now: t1, leaseUntil: t1.addingTimeInterval(30))))
            #expect(b.saga.fencingToken > a.saga.fencingToken)
            #expect(b.attempts == 2)
            let eventsBefore = try await store.events(sagaID: saga.id).count
            let stale = SagaCommit.advance(a.saga, completed: 0, output: ["stale": true], context: ["stale": true], leaseUntil: t1, now: t1)
            #expect(try await store.commit(stale).applied == false)
            #expect(try await store.heartbeat(sagaID: saga.id, fencingToken: a.saga.fencingToken, leaseUntil: t1, now: t1) == .lost)
            let after = try #require(try await store.saga(id: saga.id))
            #expect(after.context.isEmpty)
            #expect(after.currentStep == 0)
            #expect(after.leaseOwner == "B")
            #expect(try await store.steps(sagaID: saga.id).map(\.status) == [.running])
            #expect(try await store.events(sagaID: saga.id).count == eventsBefore)
            // B still can.
            var fresh = stale
            fresh.fencingToken = b.saga.fencingToken
            #expect(try await store.commit(fresh).applied)
        }
    }

    @Test("a dead worker's saga is re-claimed after its lease and re-enters its current step", arguments: Backend.enabled)
    func reclaimAfterLease(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend, startWorker: false) { engine in
            let (saga, _) = try await engine.start("test-echo", inputs: ["steps": 2])
            let now = Date()
            // A worker claims and dies without a heartbeat.
            _ = try await engine.store.claimOne(ClaimRequest(workerID: "dead", now: now, leaseUntil: now.addingTimeInterval(1)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 1)).run() }
                let done = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(20))
                group.cancelAll()
                #expect(done.status == .completed)
                #expect(done.finishedAt!.timeIntervalSince(now) >= 1)
            }
            let detail = try await engine.detail(saga.id)
            #expect(detail.steps.map(\.attempts) == [2, 1])
            let claims = detail.events.filter { $0.kind == .claimed || $0.kind == .reclaimed }
            #expect(claims.map(\.kind) == [.claimed, .reclaimed])
            #expect(claims.first?.detail == "dead")
            #expect(claims.last?.detail?.contains("the lease of dead ran out") == true)
        }
    }

    @Test("heartbeats keep a long step's lease: no other worker can claim it while it runs", arguments: Backend.enabled)
    func heartbeatsRenewLease(backend: Backend) async throws {
        let probe = Self.probe()
        let clock = ManualClock(now: Date())
        let configuration = SagaEngine.Configuration(
            leaseDuration: .seconds(1), heartbeatInterval: .milliseconds(250), pollInterval: .seconds(60))
        try await TestDatabase.withEngine(backend, configuration: configuration, clock: clock) { engine in
            let (saga, _) = try await engine.start("t-blocking", inputs: ["probe": .string(probe)])
            try await Probe.shared.waitEntered(probe + ":blocking")
            // Ten heartbeat intervals, 2.5 lease durations, pass while the step runs.
            for _ in 0..<10 {
                let target = clock.now.addingTimeInterval(0.25)
                clock.advance(by: .milliseconds(250))
                let renewed = try await engine.waitUntil(saga.id, timeout: .seconds(10)) { $0.runAt >= target.addingTimeInterval(0.9) }
                #expect(renewed.leaseOwner != nil)
            }
            let now = clock.now
            let rival = try await engine.store.claimOne(ClaimRequest(workerID: "rival", now: now, leaseUntil: now.addingTimeInterval(1)))
            #expect(rival == nil)
            try await engine.cancel(saga.id)
            #expect(try await engine.waitUntilTerminal(saga.id).status == .rolledBack)
        }
    }

    @Test("a worker that dies while re-executing a polled step costs an attempt, not a poll", arguments: Backend.enabled)
    func crashDuringPollCountsAsAttempt(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            _ = try await engine.start("test-sleep", inputs: ["seconds": 60])
            let t0 = Date()
            let first = try #require(try await store.claimOne(ClaimRequest(workerID: "A", now: t0, leaseUntil: t0.addingTimeInterval(5))))
            #expect((first.attempts, first.polls) == (1, 0))
            // A parks the saga in its durable wait.
            let park = SagaCommit.park(
                first.saga, at: 0, until: t0.addingTimeInterval(60), kind: .poll, context: nil, stepUpdates: [],
                event: NewSagaEvent(.stepWaiting, step: 0), claimNext: nil, now: t0)
            #expect(try await store.commit(park).applied)
            // B polls it, then dies without writing; C re-claims after B's lease.
            let t1 = t0.addingTimeInterval(61)
            let polled = try #require(try await store.claimOne(ClaimRequest(workerID: "B", now: t1, leaseUntil: t1.addingTimeInterval(5))))
            #expect((polled.attempts, polled.polls) == (1, 1))
            #expect(polled.saga.waitKind == nil)
            let t2 = t1.addingTimeInterval(6)
            let reclaimed = try #require(try await store.claimOne(ClaimRequest(workerID: "C", now: t2, leaseUntil: t2.addingTimeInterval(5))))
            #expect((reclaimed.attempts, reclaimed.polls) == (2, 1))
        }
    }

    @Test("sagas sharing a lock key never overlap and run in start order", arguments: Backend.enabled)
    func lockKeysSerialise(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend, concurrency: 6) { engine in
            var ids: [UUID] = []
            for _ in 0..<6 {
                ids.append(try await engine.start("t-overlap", inputs: ["probe": .string(probe), "key": "db"]).saga.id)
            }
            for id in ids { #expect(try await engine.waitUntilTerminal(id).status == .completed) }
            #expect(Probe.shared.maxActive(probe + ":db") == 1)
            let entered = Probe.shared.log(probe + ":db").filter { $0.hasPrefix("enter") }
            // Each saga's two steps enter back to back, sagas in start order.
            #expect(entered == ids.flatMap { ["enter \($0)", "enter \($0)"] })
        }
    }

    @Test("sagas that do not share a lock key run concurrently", arguments: Backend.enabled)
    func lockKeysDoNotSerialiseOthers(backend: Backend) async throws {
        let probe = Self.probe()
        try await TestDatabase.withEngine(backend, concurrency: 4) { engine in
            let a = try await engine.start("t-barrier", inputs: ["probe": .string(probe), "key": "a"]).saga.id
            let b = try await engine.start("t-barrier", inputs: ["probe": .string(probe), "key": "b"]).saga.id
            // Each waits at a barrier for the other: both complete only if they ran at the same time.
            #expect(try await engine.waitUntilTerminal(a).status == .completed)
            #expect(try await engine.waitUntilTerminal(b).status == .completed)
        }
    }

    @Test("list filters by status and template", arguments: Backend.enabled)
    func listFilters(backend: Backend) async throws {
        try await TestDatabase.withEngine(backend) { engine in
            let echo = try await engine.start("test-echo", inputs: ["steps": 1]).saga.id
            let fail = try await engine.start("test-fail", inputs: ["steps": 1, "fail_at": 0]).saga.id
            _ = try await engine.waitUntilTerminal(echo)
            _ = try await engine.waitUntilTerminal(fail)
            #expect(try await engine.list(SagaFilter(status: .completed)).map(\.id) == [echo])
            #expect(try await engine.list(SagaFilter(template: "test-fail")).map(\.id) == [fail])
            #expect(try await engine.list(SagaFilter(limit: 1)).map(\.id) == [fail])
            let counts = try await engine.store.countByStatus()
            #expect(counts[.completed] == 1 && counts[.rolledBack] == 1)
        }
    }
}
