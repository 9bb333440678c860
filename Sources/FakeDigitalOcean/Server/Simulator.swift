import Foundation
import Logging
import Synchronization

/// The simulator's request pipeline, independent of the HTTP server: authentication, rate
/// limits, fault injection, routing, the audit log and the control API.
public final class Simulator: Sendable {
    let world: Mutex<World>
    let tokens: [String: TokenScope]
    let initialSettings: SimulatorSettings
    let seed: UInt64
    let publicBaseURL: String?
    let frozenClock: Bool
    let logger: Logger

    /// Creates a simulator with an empty account. With `frozenClock`, simulated time moves only
    /// when the control API advances it (deterministic tests); otherwise it follows the wall clock.
    public init(
        settings: SimulatorSettings, tokens: [String: TokenScope], seed: UInt64, publicBaseURL: String? = nil, frozenClock: Bool = false,
        logger: Logger
    ) {
        self.world = Mutex(World(settings: settings, seed: seed, frozen: frozenClock))
        self.frozenClock = frozenClock
        self.tokens = tokens
        self.initialSettings = settings
        self.seed = seed
        self.publicBaseURL = publicBaseURL
        self.logger = logger
    }

    /// One HTTP exchange in simple terms.
    public struct Exchange: Sendable {
        public var method: String
        public var path: String
        /// The raw query string (without `?`).
        public var query: String
        public var headers: [String: String]
        public var body: Data

        /// Creates an exchange.
        public init(method: String, path: String, query: String, headers: [String: String], body: Data) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// The answer to an exchange.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        /// The request was applied but its answer must never arrive: drop the connection.
        public var dropConnection = false
    }

    /// The largest request body accepted.
    static let maxBodyBytes = 1 << 20

    /// Handles one request.
    public func handle(_ exchange: Exchange) async -> Answer {
        let requestID = UUID().uuidString.lowercased()
        let segments = exchange.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if segments.first == "_fake" {
            return control(exchange, segments: Array(segments.dropFirst()), requestID: requestID)
        }
        let query = Self.parseQuery(exchange.query)
        let baseURL = publicBaseURL ?? "http://\(exchange.headers["host"] ?? "127.0.0.1")"

        // Authentication.
        let header = exchange.headers["authorization"] ?? ""
        let token = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        let scope: TokenScope? = token.isEmpty ? nil : (tokens.isEmpty ? .write : tokens[token])
        let tokenLabel = Self.label(token)
        guard let scope else {
            return failure(.unauthorized, requestID: requestID, limits: [])
        }
        let route = SimRoute.match(method: exchange.method, segments: segments)
        let isWrite = exchange.method != "GET" && exchange.method != "HEAD"

        // Rate limits, then injected faults, decided under the lock.
        let decision = world.withLock { world -> (limits: [(String, String)], limited: APIFailure?, faults: [FaultRule]) in
            let now = world.now
            world.requestsByToken[tokenLabel, default: 0] += 1
            let (limits, limited) = world.checkRateLimit(token: tokenLabel, now: now)
            guard limited == nil, let route else { return (limits, limited, []) }
            return (limits, nil, world.fire(method: exchange.method, route: route.template, path: exchange.path))
        }
        if let limited = decision.limited {
            recordAudit(exchange, route: route?.template, token: tokenLabel, requestID: requestID, status: 429, fault: nil, isWrite: isWrite)
            return failure(limited, requestID: requestID, limits: decision.limits)
        }
        for fault in decision.faults where fault.kind == .latency {
            try? await Task.sleep(for: .milliseconds(fault.latencyMs ?? 1000))
        }
        guard let route else {
            let status = SimRoute.pathExists(segments) ? 405 : 404
            let failureBody = status == 405 ? APIFailure(status: 405, id: "method_not_allowed", message: "Method not allowed.") : .notFound()
            return failure(failureBody, requestID: requestID, limits: decision.limits)
        }
        if isWrite && scope == .read {
            recordAudit(exchange, route: route.template, token: tokenLabel, requestID: requestID, status: 403, fault: nil, isWrite: true)
            return failure(.forbidden, requestID: requestID, limits: decision.limits)
        }
        if let fault = decision.faults.first(where: { [.serverError, .rateLimited, .retryable422, .unprocessable].contains($0.kind) }) {
            let injected: APIFailure
            switch fault.kind {
            case .rateLimited:
                injected = APIFailure(status: 429, id: "too_many_requests", message: "API Rate limit exceeded.", headers: [("retry-after", "1")])
            case .retryable422:
                injected = .unprocessable("The request could not be processed right now; please try again.")
            case .unprocessable:
                injected = .unprocessable(fault.message ?? "creating this/these droplet(s) will exceed your droplet limit")
            default:
                let status = fault.status ?? 500
                injected = APIFailure(
                    status: status, id: status == 503 ? "service_unavailable" : "server_error", message: "Unexpected server-side error")
            }
            recordAudit(
                exchange, route: route.template, token: tokenLabel, requestID: requestID, status: injected.status, fault: fault.kind.rawValue,
                isWrite: isWrite)
            return failure(injected, requestID: requestID, limits: decision.limits)
        }

        // The request itself.
        var body: JSON?
        if !exchange.body.isEmpty {
            guard exchange.body.count <= Self.maxBodyBytes else {
                return failure(
                    APIFailure.badRequest("request body too large (limit \(Self.maxBodyBytes) bytes)").shaped(
                        forRoute: route.template, method: exchange.method), requestID: requestID, limits: decision.limits)
            }
            guard let parsed = try? JSON.parse(exchange.body) else {
                return failure(
                    APIFailure.badRequest("error parsing request body").shaped(forRoute: route.template, method: exchange.method),
                    requestID: requestID, limits: decision.limits)
            }
            body = parsed
        }
        let actionFails = decision.faults.contains { $0.kind == .actionErrored }
        let responseLost = isWrite && decision.faults.contains { $0.kind == .responseLost }
        let errorAfterApply = isWrite ? decision.faults.first { $0.kind == .serverErrorAfterApply } : nil
        let result: Result<SimResponse, APIFailure> = world.withLock { world in
            let now = world.now
            world.settle(now)
            let request = SimRequest(
                method: exchange.method, path: exchange.path, segments: segments, query: query, body: body, now: now, baseURL: baseURL,
                actionFails: actionFails)
            let result: Result<SimResponse, APIFailure>
            do {
                result = .success(try route.handler(&world, request))
            } catch let failure as APIFailure {
                result = .failure(failure)
            } catch {
                result = .failure(APIFailure(status: 500, id: "server_error", message: "Unexpected server-side error"))
            }
            if isWrite {
                let status = (try? result.get().status) ?? { if case .failure(let f) = result { return f.status } else { return 0 } }()
                world.appendAudit(
                    exchange: exchange, route: route.template, token: tokenLabel, requestID: requestID, status: status,
                    fault: responseLost
                        ? FaultRule.Kind.responseLost.rawValue
                        : errorAfterApply != nil
                            ? FaultRule.Kind.serverErrorAfterApply.rawValue : (actionFails ? FaultRule.Kind.actionErrored.rawValue : nil),
                    created: (try? result.get().created) ?? [], body: body, now: now)
            }
            return result
        }
        if let hold = decision.faults.first(where: { $0.kind == .latencyAfterApply }) {
            try? await Task.sleep(for: .milliseconds(hold.latencyMs ?? 1000))
        }
        if let fault = errorAfterApply, case .success = result {
            let status = fault.status ?? 500
            return failure(
                APIFailure(status: status, id: status == 503 ? "service_unavailable" : "server_error", message: "Unexpected server-side error"),
                requestID: requestID, limits: decision.limits)
        }
        switch result {
        case .success(let response):
            var answer = Answer(
                status: response.status, headers: decision.limits + [("x-request-id", requestID)],
                body: Data(response.body.map { $0.text.utf8 } ?? "".utf8))
            if response.body != nil { answer.headers.append(("content-type", "application/json; charset=utf-8")) }
            answer.dropConnection = responseLost
            world.withLock { $0.responsesByStatus[response.status, default: 0] += 1 }
            return answer
        case .failure(let failure):
            var answer = self.failure(failure, requestID: requestID, limits: decision.limits)
            answer.dropConnection = responseLost
            return answer
        }
    }

    /// Returns once a mutating request of `method` on `route` (a spec path template) has been
    /// applied and recorded, now or earlier: tests wait on it instead of polling the audit log.
    public func waitForWrite(method: String, route: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            world.withLock { world in
                if world.audit.contains(where: { $0.method == method && $0.route == route && $0.status < 300 }) {
                    continuation.resume()
                } else {
                    world.auditWaiters.append((method, route, continuation))
                }
            }
        }
    }

    func failure(_ failure: APIFailure, requestID: String, limits: [(String, String)]) -> Answer {
        world.withLock { $0.responsesByStatus[failure.status, default: 0] += 1 }
        let body: JSON = .object(
            [("id", .string(failure.id)), ("message", .string(failure.message)), ("request_id", .string(requestID))] + failure.extraFields)
        return Answer(
            status: failure.status,
            headers: limits + failure.headers + [("x-request-id", requestID), ("content-type", "application/json; charset=utf-8")],
            body: Data(body.text.utf8))
    }

    private func recordAudit(_ exchange: Exchange, route: String?, token: String, requestID: String, status: Int, fault: String?, isWrite: Bool) {
        guard isWrite else { return }
        world.withLock { world in
            world.appendAudit(
                exchange: exchange, route: route ?? exchange.path, token: token, requestID: requestID, status: status, fault: fault, created: [],
                body: try? JSON.parse(exchange.body), now: world.now)
        }
    }

    /// A stable, non-secret name for a token: its scope and a short hash, never the value.
    static func label(_ token: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
        return "token-" + String(hash >> 40, radix: 16)
    }

    static func parseQuery(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            func decode(_ text: Substring?) -> String {
                (text.map(String.init) ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (decode(parts.first), decode(parts.count > 1 ? parts[1] : nil))
        }
    }
}
