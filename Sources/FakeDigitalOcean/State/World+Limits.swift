import Foundation

/// Rate limits, fault decisions and the audit log.
extension World {
    /// Counts a request against the token's sliding windows. Returns the `ratelimit-*` headers
    /// and, when a window is full, the 429 to answer (with `retry-after` for the burst window).
    mutating func checkRateLimit(token: String, now: Date) -> ([(String, String)], APIFailure?) {
        let limits = settings.rateLimits
        var stamps = rateWindows[token] ?? []
        let longest = max(limits.hourlyWindow, limits.burstWindow)
        if let firstKept = stamps.firstIndex(where: { now.timeIntervalSince($0) < longest }) {
            stamps.removeFirst(firstKept)
        } else {
            stamps.removeAll()
        }
        let burst = stamps.filter { now.timeIntervalSince($0) < limits.burstWindow }
        let hourly = stamps.filter { now.timeIntervalSince($0) < limits.hourlyWindow }
        var limited: APIFailure?
        if burst.count >= limits.burstLimit {
            let wait = max(1, Int((burst[0].addingTimeInterval(limits.burstWindow).timeIntervalSince(now)).rounded(.up)))
            limited = APIFailure(status: 429, id: "too_many_requests", message: "API Rate limit exceeded.", headers: [("retry-after", String(wait))])
        } else if hourly.count >= limits.hourlyLimit {
            limited = APIFailure(status: 429, id: "too_many_requests", message: "API Rate limit exceeded.")
        } else {
            stamps.append(now)
        }
        rateWindows[token] = stamps
        let burstNow = stamps.filter { now.timeIntervalSince($0) < limits.burstWindow }
        let hourlyNow = stamps.filter { now.timeIntervalSince($0) < limits.hourlyWindow }
        let burstRemaining = max(0, limits.burstLimit - burstNow.count)
        let hourlyRemaining = max(0, limits.hourlyLimit - hourlyNow.count)
        // Report the tighter window: when it is the burst window, `remaining` shows 0 as DO does.
        let burstBinds = burstRemaining < hourlyRemaining
        let oldest =
            burstBinds
            ? burstNow.first.map { $0.addingTimeInterval(limits.burstWindow) } : hourlyNow.first.map { $0.addingTimeInterval(limits.hourlyWindow) }
        let reset = Int((oldest ?? now).timeIntervalSince1970.rounded(.up))
        let headers = [
            ("ratelimit-limit", String(limits.hourlyLimit)), ("ratelimit-remaining", String(min(burstRemaining, hourlyRemaining))),
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
    }
}
