import Foundation
import Testing

@testable import DigitalOcean

/// The pacer's bookkeeping, without a server.
@Suite struct RateLimitPacerTests {
    @Test(.timeLimit(.minutes(1)))
    func anAPIWithoutRateLimitHeadersIsNotSerialised() async throws {
        let pacer = RateLimitPacer()
        try await pacer.acquire()
        await pacer.complete(status: 200, headers: nil)
        // Two requests in flight at once: without headers there is nothing to pace by.
        try await pacer.acquire()
        try await pacer.acquire()
        #expect(await pacer.requestsInFlight == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func theSmallestRemainingWinsWhateverTheOrderOfAnswers() async throws {
        let pacer = RateLimitPacer()
        let reset = Date().addingTimeInterval(3600)
        try await pacer.acquire()
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 3, reset: reset))
        try await pacer.acquire()
        try await pacer.acquire()
        // An older answer arrives late with a larger figure: it must not widen the budget.
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 1, reset: reset))
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 5, reset: reset))
        #expect(await pacer.budget == 1)
    }

    @Test("a spent hourly budget is not waited out in memory: the caller learns when to come back", .timeLimit(.minutes(1)))
    func aLongWaitIsRefusedAtOnce() async throws {
        let pacer = RateLimitPacer()
        let reset = Date().addingTimeInterval(1800)
        try await pacer.acquire()
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 0, reset: reset))
        do {
            try await pacer.acquire(maxWait: .seconds(5))
            Issue.record("acquire should have refused a 30-minute wait")
        } catch let wait as RateLimitPacer.WaitTooLong {
            #expect(abs(wait.until.timeIntervalSince(reset)) < 0.001)
        }
        #expect(await pacer.requestsInFlight == 0, "a refused acquire counts nothing in flight")
    }

    @Test("a cancelled task stops waiting in the pacer at once, whatever it waits for", .timeLimit(.minutes(1)))
    func cancellationReachesEveryWait() async throws {
        let pacer = RateLimitPacer()
        // Waiting for an answer (a probe is in flight).
        try await pacer.acquire()
        let waitingForAnswer = Task { try await pacer.acquire() }
        while await pacer.waiting == 0 { await Task.yield() }
        waitingForAnswer.cancel()
        await #expect(throws: CancellationError.self) { try await waitingForAnswer.value }
        // Waiting out a window reset (a 429 blocked the token for an hour).
        await pacer.complete(status: 429, headers: RateLimitStatus(limit: 10, remaining: 0, reset: Date().addingTimeInterval(3600)))
        let waitingForReset = Task { try await pacer.acquire() }
        while await pacer.waiting == 0 { await Task.yield() }
        waitingForReset.cancel()
        await #expect(throws: CancellationError.self) { try await waitingForReset.value }
        #expect(await pacer.requestsInFlight == 0)
    }
}
