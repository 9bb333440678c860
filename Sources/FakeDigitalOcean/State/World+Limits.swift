import Foundation

/// Rate limits, fault decisions and the audit log.
extension World {
    /// Counts a request against the token's sliding windows. Returns the `ratelimit-*` headers (of
    /// the hourly window, as DigitalOcean sends them) and, when a window is full, the 429 to answer
    /// (with `retry-after` for the burst window).
    mutating func checkRateLimit(token: String, now: Date) -> ([(String, String)], APIFailure?) {
        let limits = settings.rateLimits
        var stamps = rateWindows[token] ?? []
        // Stamps are in time order: the first one inside a window is found by binary search.
        func firstInside(_ window: Double) -> Int {
            var low = 0
            var high = stamps.count
            while low < high {
                let middle = (low + high) / 2
                if now.timeIntervalSince(stamps[middle]) < window { high = middle } else { low = middle + 1 }
            }
            return low
        }
        stamps.removeFirst(firstInside(max(limits.hourlyWindow, limits.burstWindow)))
        var limited: APIFailure?
        let burstStart = firstInside(limits.burstWindow)
        if stamps.count - burstStart >= limits.burstLimit {
            let wait = max(1, Int((stamps[burstStart].addingTimeInterval(limits.burstWindow).timeIntervalSince(now)).rounded(.up)))
            limited = APIFailure(status: 429, id: "too_many_requests", message: "API Rate limit exceeded.", headers: [("retry-after", String(wait))])
        } else if stamps.count - firstInside(limits.hourlyWindow) >= limits.hourlyLimit {
            limited = APIFailure(status: 429, id: "too_many_requests", message: "API Rate limit exceeded.")
        } else {
            stamps.append(now)
        }
        rateWindows[token] = stamps
        let hourlyIndex = firstInside(limits.hourlyWindow)
        let hourlyRemaining = max(0, limits.hourlyLimit - (stamps.count - hourlyIndex))
        // As DigitalOcean: the headers count the hourly window; the burst window shows only as a
        // 429 with `retry-after` (and `remaining: 0` on that answer).
        let oldest = hourlyIndex < stamps.count ? stamps[hourlyIndex].addingTimeInterval(limits.hourlyWindow) : now
        let reset = Int(oldest.timeIntervalSince1970.rounded(.up))
        let burstLimited = limited?.headers.contains { $0.0 == "retry-after" } ?? false
        let headers = [
            ("ratelimit-limit", String(limits.hourlyLimit)), ("ratelimit-remaining", String(burstLimited ? 0 : hourlyRemaining)),
            ("ratelimit-reset", String(reset)),
        ]
        return (headers, limited)
    }

    /// The fault rules that fire for this request (each consumes one of its `remaining`).
    mutating func fire(method: String, route: String, path: String) -> [FaultRule] {
        var fired: [FaultRule] = []
        for index in settings.faults.indices {
            let rule = settings.faults[index]
            guard rule.matches(method: method, route: route, path: path), rule.remaining.map({ $0 > 0 }) ?? true else { continue }
            guard random.unit() < rule.probability else { continue }
            if let remaining = rule.remaining { settings.faults[index].remaining = remaining - 1 }
            fired.append(rule)
        }
        return fired
    }

    mutating func appendAudit(
        exchange: Simulator.Exchange, route: String, token: String, requestID: String, status: Int, fault: String?, created: [String],
        body: JSON?, now: Date
    ) {
        audit.append(
            AuditEntry(
                sequence: audit.count + 1, at: now, requestID: requestID, token: token, method: exchange.method, path: exchange.path, route: route,
                query: exchange.query, body: body, status: status, fault: fault, created: created))
        guard status < 300 else { return }
        let (method, route) = (exchange.method, route)
        let ready = auditWaiters.filter { $0.method == method && $0.route == route }
        auditWaiters.removeAll { $0.method == method && $0.route == route }
        for waiter in ready { waiter.continuation.resume() }
    }
}
