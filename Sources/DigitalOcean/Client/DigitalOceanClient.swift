import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix

/// A typed async client for the DigitalOcean API v2.
///
/// One client holds one token. A client built with an `inventory` token refuses every write
/// before anything is sent; use a second client with a `provisioning` token to change things.
/// Clients of the same token share one rate-limit pacer in the process.
public final class DigitalOceanClient: Sendable {
    /// The settings the client was built with.
    public let configuration: Configuration
    let httpClient: HTTPClient
    let logger: Logger
    private let pacer: RateLimitPacer
    /// The HTTP requests this client sent.
    public let requests = RequestCounter()

    /// Creates a client. The `HTTPClient` is borrowed, not shut down by this client.
    public init(
        configuration: Configuration, httpClient: HTTPClient = DigitalOceanClient.sharedHTTPClient,
        logger: Logger = Logger(label: "arcadia.digitalocean")
    ) {
        var configuration = configuration
        while configuration.baseURL.hasSuffix("/") { configuration.baseURL.removeLast() }
        configuration.pageSize = min(max(configuration.pageSize, 1), 200)
        self.configuration = configuration
        self.httpClient = httpClient
        var logger = logger
        logger[metadataKey: "do.token_purpose"] = "\(configuration.token.purpose)"
        self.logger = logger
        self.pacer = RateLimitPacer.shared(
            for: "\(configuration.baseURL) \(configuration.token.limiterKey)",
            burst: .init(requests: configuration.burstLimit.requests, window: configuration.burstLimit.window))
    }

    /// The purpose of this client's token.
    public var purpose: TokenPurpose { configuration.token.purpose }

    // MARK: - Typed helpers used by the operation extensions

    /// Sends a request and decodes the object under `key` (or the bare body when `key` is nil).
    func object<T: Decodable>(
        _ type: T.Type, _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
        key: String?
    ) async throws -> T {
        let response = try await send(method, path, query: query, body: body)
        return try decode(type, from: response, key: key)
    }

    /// Sends a request whose success has no body worth reading (204s).
    func discard(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil) async throws {
        _ = try await send(method, path, query: query, body: body)
    }

    /// A paginated collection under `key`.
    func collection<T: Decodable & Sendable & Identifiable>(
        _ type: T.Type, _ path: String, query: [(String, String)] = [], key: String
    ) -> PaginatedSequence<T> where T.ID: Sendable {
        PaginatedSequence(client: self, path: path, query: query, key: key)
    }

    func decode<T: Decodable>(_ type: T.Type, from response: APIResponse, key: String?, rootKey: String? = nil) throws -> T {
        let decoder = JSONDecoder.digitalOcean
        if let rootKey { decoder.userInfo[EnvelopeKey.userInfoKey] = rootKey }
        do {
            if let key {
                decoder.userInfo[EnvelopeKey.userInfoKey] = key
                return try decoder.decode(Envelope<T>.self, from: response.body).value
            }
            return try decoder.decode(T.self, from: response.body)
        } catch {
            throw DigitalOceanError(
                code: .invalidResponse, status: response.status, message: "could not decode the response: \(Self.describe(error))",
                requestID: response.requestID, operation: response.operation, attempts: response.attempts)
        }
    }

    // MARK: - The request pipeline

    /// Sends one request with pacing and bounded retries; returns a 2xx response or throws.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil) async throws
        -> APIResponse
    {
        let operation = "\(method.rawValue) \(path)"
        let isWrite = method != .GET && method != .HEAD
        if isWrite && !configuration.token.purpose.allowsWrites {
            throw DigitalOceanError(
                code: .readOnlyToken,
                message: "refusing to send \(operation) with an inventory (read-only) token; use a provisioning token for writes",
                operation: operation)
        }
        if configuration.token.isEmpty {
            throw DigitalOceanError(code: .invalidToken, message: "the DigitalOcean API token is empty", operation: operation)
        }
        var payload: Data?
        if let body {
            do {
                payload = try JSONEncoder.digitalOcean.encode(body)
            } catch {
                throw DigitalOceanError(code: .invalidRequest, message: "could not encode the request body: \(error)", operation: operation)
            }
        }
        let url = configuration.baseURL + path + Self.queryString(query)
        return try await send(method: method, url: url, operation: operation, payload: payload)
    }

    /// Sends to an absolute URL already built (pagination links are rebased on ``Configuration/baseURL``).
    func send(method: HTTPMethod, url: String, operation: String, payload: Data?) async throws -> APIResponse {
        let idempotent = method != .POST && method != .PATCH
        var attempt = 0
        var waitedForLimits: Duration = .zero
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Authorization", value: configuration.token.authorizationHeader)
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: configuration.userAgent)
            if let payload {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: payload))
            }
            if configuration.pacesRequests {
                do {
                    try await pacer.acquire(maxWait: configuration.retry.maxRateLimitWait - waitedForLimits)
                } catch let wait as RateLimitPacer.WaitTooLong {
                    let seconds = max(0, wait.until.timeIntervalSinceNow)
                    throw DigitalOceanError(
                        code: .rateLimited,
                        message: "the token's rate-limit budget is spent for \(Int(seconds.rounded(.up))) s more; nothing was sent",
                        isRetryable: true, retryAfter: .milliseconds(Int64(seconds * 1000) + 1), operation: operation, attempts: attempt - 1)
                }
            }
            let result: APIResponse
            do {
                requests.increment()
                let response = try await httpClient.execute(
                    request, timeout: .nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9)), logger: logger)
                let bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
                var headers: [String: String] = [:]
                for header in response.headers { headers[header.name.lowercased()] = header.value }
                result = APIResponse(
                    status: Int(response.status.code), headers: headers, body: Data(bytes.readableBytesView), operation: operation, attempts: attempt)
            } catch {
                Counter(label: "arcadia_do_requests_total", dimensions: [("purpose", "\(purpose)"), ("status", "error")]).increment()
                if configuration.pacesRequests { await pacer.complete(status: nil, headers: nil) }
                // A cancelled task stops here, never retries: the caller is gone.
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                let notSent = Self.isConnectFailure(error)
                let failure = DigitalOceanError(
                    code: .transport, message: "the request did not complete: \(Self.describe(error))", isRetryable: true,
                    isAmbiguous: !notSent && !idempotent, operation: operation, attempts: attempt)
                if attempt < configuration.retry.maxAttempts && (idempotent || notSent) {
                    let delay = configuration.retry.backoff(after: attempt)
                    logger.debug("retrying after transport error", metadata: ["do.operation": "\(operation)", "do.attempt": "\(attempt)"])
                    try await Task.sleep(for: delay)
                    continue
                }
                throw failure
            }
            let limits = RateLimitStatus(header: { result.headers[$0] })
            // Metrics by token purpose and status only (no ids): low cardinality.
            Counter(label: "arcadia_do_requests_total", dimensions: [("purpose", "\(purpose)"), ("status", String(result.status))]).increment()
            if let limits {
                Gauge(label: "arcadia_do_ratelimit_remaining", dimensions: [("purpose", "\(purpose)")]).record(limits.remaining)
            }
            if configuration.pacesRequests { await pacer.complete(status: result.status, headers: limits) }
            if (200..<300).contains(result.status) { return result }

            var failure = Self.httpError(result, idempotent: idempotent)
            if result.status == 429 {
                let untilReset = limits.map { Duration.milliseconds(Int64(max(0, $0.reset.timeIntervalSinceNow) * 1000)) }
                failure.retryAfter = limits?.retryAfter ?? untilReset
            }
            // Retried here: 429 (never applied) for every method; 5xx except 501 for idempotent ones.
            // Everything else, transient 422s included, goes to the caller with its flags.
            let retriedHere = result.status == 429 || (idempotent && result.status >= 500 && result.status != 501)
            guard attempt < configuration.retry.maxAttempts, retriedHere else { throw failure }
            if result.status == 429 {
                // Not applied: safe to repeat for every method. Wait as long as DigitalOcean asks.
                let delay = failure.retryAfter ?? configuration.retry.backoff(after: attempt)
                waitedForLimits += delay
                guard waitedForLimits <= configuration.retry.maxRateLimitWait else { throw failure }
                logger.notice("rate limited by DigitalOcean; waiting", metadata: ["do.operation": "\(operation)", "do.wait_s": "\(delay.seconds)"])
                // With pacing on, the pacer already holds every request of this token until then.
                if !configuration.pacesRequests { try await Task.sleep(for: delay) }
                continue
            }
            logger.debug("retrying after HTTP \(result.status)", metadata: ["do.operation": "\(operation)", "do.attempt": "\(attempt)"])
            try await Task.sleep(for: configuration.retry.backoff(after: attempt))
        }
    }

    /// Builds the error for a non-2xx answer from DigitalOcean's `{id, message, request_id}` body.
    static func httpError(_ response: APIResponse, idempotent: Bool) -> DigitalOceanError {
        struct Body: Decodable {
            var id: String?
            var message: String?
            var requestId: String?
        }
        let body = try? JSONDecoder.digitalOcean.decode(Body.self, from: response.body)
        let text = String(decoding: response.body.prefix(512), as: UTF8.self)
        let message = body?.message ?? (text.isEmpty ? "HTTP \(response.status)" : text)
        let status = response.status
        let transient422 = status == 422 && Self.transient422Messages.contains { message.localizedCaseInsensitiveContains($0) }
        let retryable = status == 429 || (status >= 500 && status != 501) || transient422
        return DigitalOceanError(
            code: .http, status: status, id: body?.id, message: message, requestID: body?.requestId ?? response.requestID,
            isRetryable: retryable, isAmbiguous: !idempotent && status >= 500, operation: response.operation, attempts: response.attempts)
    }

    /// 422 messages DigitalOcean users see succeed on a later try.
    static let transient422Messages = ["pending event", "please try again", "try again later"]

    static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DecodingError {
            switch error {
            case .keyNotFound(let key, let context): return "missing key \(path(context.codingPath + [key]))"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "\(context.debugDescription) at \(path(context.codingPath))"
            @unknown default: return "\(error)"
            }
        }
        return String(describing: error)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "$" : "$." + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
