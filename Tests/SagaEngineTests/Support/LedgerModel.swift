import Foundation

@testable import SagaEngine

/// The store's semantics for one saga, in memory: what a commit or a claim does to the saga row
/// and its step ledger (fencing, lease, attempt counting), so the pure state machine can be driven
/// to the end of every scenario without a database. The conformance suite checks the same
/// semantics on both real backends.
struct LedgerModel {
    var saga: SagaRecord
    var steps: [Int: StepRecord] = [:]
    var events: [NewSagaEvent] = []
    /// Every commit applied, in order.
    var commits: [SagaCommit] = []
    private let worker = "test-worker"

    init(template: String = "t", steps names: [String], holdOnFailure: Bool = false, lockKeys: [String] = []) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        saga = SagaRecord(
            id: UUID(), kind: .test, template: template, stepNames: names, inputs: [:], context: [:], status: .pending, currentStep: 0,
            cancelRequested: false, error: nil, deploymentID: nil, tenantID: nil, triggeredBy: nil, idempotencyKey: nil, lockKeys: lockKeys,
            runAt: now, waitKind: nil, leaseOwner: nil, fencingToken: 0, holdOnFailure: holdOnFailure, createdAt: now, updatedAt: now,
            finishedAt: nil)
    }

    /// A claim, as both stores make it: a new token and lease; the attempt of a step moving
    /// forward is counted (a poll after a durable wait counts as a poll; the re-claim of a saga
    /// handed back counts nothing).
    mutating func claim(now: Date, lease: Duration = .seconds(30)) -> ClaimedSaga {
        let prior = saga.waitKind
        saga.waitKind = nil
        saga.fencingToken += 1
        saga.leaseOwner = worker
        saga.runAt = now.addingTimeInterval(lease.seconds)
        if [.pending, .waiting].contains(saga.status), !saga.cancelRequested { saga.status = .running }
        var attempts = 0
        var polls = 0
        if saga.status == .running, !saga.cancelRequested, saga.currentStep < saga.stepNames.count {
            let phase: StepAttempt.Phase = prior == .poll ? .poll : .attempt
            (attempts, polls) = record(
                StepAttempt(index: saga.currentStep, name: saga.stepNames[saga.currentStep], phase: phase), count: prior != .handoff, now: now)
        }
        events.append(NewSagaEvent(.claimed, step: saga.currentStep))
        return ClaimedSaga(saga: saga, attempts: attempts, polls: polls)
    }

    /// Applies a commit if its token is current and (for a worker's commit) the lease is held.
    mutating func apply(_ commit: SagaCommit) -> CommitResult {
        guard commit.sagaID == saga.id, commit.fencingToken == saga.fencingToken, saga.leaseOwner != nil || commit.bumpFencingToken else {
            return .fenced
        }
        commits.append(commit)
        saga.status = commit.status
        saga.currentStep = commit.currentStep
        if let context = commit.context { saga.context = context }
        switch commit.error {
        case .keep: break
        case .clear: saga.error = nil
        case .set(let text): saga.error = text
        }
        saga.runAt = commit.runAt
        saga.waitKind = commit.waitKind
        if commit.releaseLease { saga.leaseOwner = nil }
        saga.finishedAt = commit.finished ? commit.now : nil
        if let cancel = commit.cancelRequested { saga.cancelRequested = cancel }
        if commit.bumpFencingToken { saga.fencingToken += 1 }
        for update in commit.stepUpdates {
            guard var row = steps[update.index] else { continue }
            row.status = update.status
            if let output = update.output { row.output = output }
            switch update.error {
            case .keep: break
            case .clear: row.error = nil
            case .set(let text): row.error = text
            }
            if update.finished { row.finishedAt = commit.now }
            if update.compensated { row.compensatedAt = commit.now }
            if update.resetAttempts { row.attempts = 0 }
            if update.resetCompensationAttempts { row.compensationAttempts = 0 }
            steps[update.index] = row
        }
        var counters = (0, 0)
        if let attempt = commit.attempt { counters = record(attempt, count: true, now: commit.now) }
        events += commit.events
        var result = CommitResult(applied: true, cancelRequested: saga.cancelRequested, attempts: counters.0, polls: counters.1)
        if commit.claimNext != nil { result.claim = ClaimResult(claimed: [], nextDue: nil) }
        return result
    }

    private mutating func record(_ attempt: StepAttempt, count: Bool, now: Date) -> (Int, Int) {
        var row =
            steps[attempt.index]
            ?? StepRecord(
                sagaID: saga.id, index: attempt.index, name: attempt.name, status: .running, output: nil, error: nil, attempts: 0, polls: 0,
                compensationAttempts: 0, startedAt: now, finishedAt: nil, compensatedAt: nil)
        row.status = attempt.phase == .compensation ? .compensating : .running
        switch attempt.phase {
        case .attempt: if count { row.attempts += 1 }
        case .poll: row.polls += 1
        case .compensation: row.compensationAttempts += 1
        }
        steps[attempt.index] = row
        return (attempt.phase == .compensation ? row.compensationAttempts : row.attempts, row.polls)
    }

    var ledger: [StepRecord] { steps.values.sorted { $0.index < $1.index } }
}
