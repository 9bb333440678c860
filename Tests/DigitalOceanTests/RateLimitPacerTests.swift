import Foundation
import Testing

@testable import DigitalOcean

/// The pacer's bookkeeping, without a server.
@Suite struct RateLimitPacerTests {
    @Test(.timeLimit(.minutes(1)))
    func anAPIWithoutRateLimitHeadersIsNotSerialised() async {
        let pacer = RateLimitPacer()
        await pacer.acquire()
        await pacer.complete(status: 200, headers: nil)
        // Two requests in flight at once: without headers there is nothing to pace by.
        await pacer.acquire()
        await pacer.acquire()
    }

    @Test(.timeLimit(.minutes(1)))
    func theSmallestRemainingWinsWhateverTheOrderOfAnswers() async {
        let pacer = RateLimitPacer()
        let reset = Date().addingTimeInterval(3600)
        await pacer.acquire()
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 3, reset: reset))
        await pacer.acquire()
        await pacer.acquire()
        // An older answer arrives late with a larger figure: it must not widen the budget.
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 1, reset: reset))
        await pacer.complete(status: 200, headers: RateLimitStatus(limit: 10, remaining: 5, reset: reset))
        #expect(await pacer.budget == 1)
    }
}
