import Foundation
import Synchronization

/// Paces the requests of one token from the `ratelimit-*` headers so that a busy process does
/// not run into DigitalOcean's 429s.
///
/// The pacer keeps a budget: the smallest `remaining` reported since the budget was last
/// refreshed, minus the requests in flight (answers can arrive in any order, so the smallest
/// value is the only safe one). A request goes out only while the budget is positive. With no
/// budget it waits: for answers in flight, or, with nothing in flight, until `ratelimit-reset`
/// (when the oldest counted request leaves the window), after which a single probe request
/// refreshes the budget. A 429 blocks every request of the token for its `retry-after` (or
/// until the reset), then probes again.
actor RateLimitPacer {
    /// One pacer per token per API, shared by every client of this process.
    private static let registry = PacerRegistry()

    static func shared(for key: String, burst: BurstLimit = BurstLimit()) -> RateLimitPacer { registry.pacer(for: key, burst: burst) }

    /// The per-minute burst limit DigitalOcean enforces without reporting it in its headers (250
    /// requests a minute per token): the pacer keeps the token under it on its own.
    struct BurstLimit: Sendable, Hashable {
        var requests: Int = 250
        var window: Duration = .seconds(60)
    }

    /// The pacer would hold a request longer than the caller allows: nothing was sent.
    struct WaitTooLong: Error {
        /// When the token may send again.
        var until: Date
    }

    private var known: RateLimitStatus?
    /// The API answered without rate-limit headers (a proxy, another implementation): there is
    /// nothing to pace by, so requests are not held back to one probe at a time.
    private var headerless = false
    private var inFlight = 0
    private var blockedUntil: Date?
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private let burst: BurstLimit
    /// When each answer inside the current burst window arrived, oldest first.
    private var answered: [Date] = []

    init(burst: BurstLimit = BurstLimit()) {
        self.burst = burst
    }

    /// Requests that may go out now without waiting (`nil` while nothing is known).
    var budget: Int? { known.map { $0.remaining - inFlight } }

    /// Requests counted as in flight.
    var requestsInFlight: Int { inFlight }

    /// Callers waiting in ``acquire(maxWait:)`` (for tests).
    private(set) var waiting = 0

    /// Waits until a request may be sent, and counts it in flight.
    ///
    /// - Parameter maxWait: the longest the caller accepts to wait for the token's window to
    ///   reset; a longer wait throws ``WaitTooLong`` at once (the caller parks its work durably
    ///   instead of holding memory and a task for up to an hour).
    /// - Throws: `CancellationError` as soon as the task is cancelled, wherever it waits.
    func acquire(maxWait: Duration = .seconds(3600)) async throws {
        while true {
            try Task.checkCancellation()
            let now = Date()
            if let blockedUntil, blockedUntil > now {
                guard blockedUntil.timeIntervalSince(now) <= maxWait.seconds else { throw WaitTooLong(until: blockedUntil) }
                waiting += 1
                defer { waiting -= 1 }
                try await Task.sleep(for: .milliseconds(Int64(blockedUntil.timeIntervalSince(now) * 1000) + 1))
                continue
            }
            blockedUntil = nil
            if burstFull(now) {
                if let until = burstFreeAt(now) {
                    guard until.timeIntervalSince(now) <= maxWait.seconds else { throw WaitTooLong(until: until) }
                    waiting += 1
                    defer { waiting -= 1 }
                    try await Task.sleep(for: .milliseconds(Int64(until.timeIntervalSince(now) * 1000) + 1))
                } else {
                    try await waitForAnswer()
                }
                continue
            }
            guard let known else {
                // Nothing known yet (or the window moved on): one probe at a time.
                if inFlight == 0 || headerless {
                    grant(now)
                    return
                }
                try await waitForAnswer()
                continue
            }
            if known.remaining - inFlight > 0 {
                grant(now)
                return
            }
            if inFlight > 0 {
                try await waitForAnswer()
                continue
            }
            if known.reset > now {
                guard known.reset.timeIntervalSince(now) <= maxWait.seconds else { throw WaitTooLong(until: known.reset) }
                blockedUntil = known.reset
                continue
            }
            // The oldest counted request has left the window: probe again.
            self.known = nil
        }
    }

    private func grant(_ now: Date) {
        inFlight += 1
    }

    /// Whether the burst window is full. A request counts while in flight and for one window after
    /// its answer: DigitalOcean counted it when it arrived, which is no later than the answer, so
    /// however requests bunch up on the way no window there holds more than the limit.
    private func burstFull(_ now: Date) -> Bool {
        let window = burst.window.seconds + 0.05
        if let fresh = answered.firstIndex(where: { now.timeIntervalSince($0) < window }) {
            answered.removeFirst(fresh)
        } else {
            answered.removeAll()
        }
        return burst.requests > 0 && inFlight + answered.count >= burst.requests
    }

    /// When an answered request leaves the burst window and frees a place; nil when only an answer
    /// to a request in flight can.
    private func burstFreeAt(_ now: Date) -> Date? {
        let excess = inFlight + answered.count - burst.requests
        guard excess >= 0, excess < answered.count else { return nil }
        return answered[excess].addingTimeInterval(burst.window.seconds + 0.05)
    }

    /// Records the answer to a request; `headers` is `nil` for a transport error.
    func complete(status: Int?, headers: RateLimitStatus?) {
        inFlight -= 1
        answered.append(Date())
        if status == 429 {
            // Refused, not counted: wait as DigitalOcean asks, then probe afresh.
            let until = headers?.retryAfter.map { Date().addingTimeInterval($0.seconds) } ?? headers?.reset ?? Date().addingTimeInterval(1)
            blockedUntil = max(blockedUntil ?? until, until)
            known = nil
        } else if status != nil && headers == nil {
            headerless = true
        } else if let headers {
            headerless = false
            if let current = known, current.remaining <= headers.remaining {
                known?.reset = max(current.reset, headers.reset)
            } else {
                known = headers
            }
        }
        let resumed = waiters.values
        waiters.removeAll()
        for waiter in resumed { waiter.resume() }
    }

    /// Waits for the next answer; a cancelled task stops waiting at once.
    private func waitForAnswer() async throws {
        let id = nextWaiter
        nextWaiter += 1
        waiting += 1
        defer { waiting -= 1 }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.stopWaiting(id) }
        }
        try Task.checkCancellation()
    }

    private func stopWaiting(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}

/// The process-wide map of pacers, keyed by token and base URL.
private final class PacerRegistry: Sendable {
    private let pacers = Mutex<[String: RateLimitPacer]>([:])

    func pacer(for key: String, burst: RateLimitPacer.BurstLimit) -> RateLimitPacer {
        pacers.withLock { pacers in
            let key = "\(key) \(burst.requests)/\(burst.window)"
            if let pacer = pacers[key] { return pacer }
            let pacer = RateLimitPacer(burst: burst)
            pacers[key] = pacer
            return pacer
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
