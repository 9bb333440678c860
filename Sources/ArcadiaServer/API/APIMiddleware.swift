import AccessControl
package import Foundation
import HTTPTypes
import Hummingbird
import Logging
package import OpenAPIRuntime

/// In front of every route: keeps or makes a request id (answered in `X-Request-Id`, carried by
/// the log lines of the request), limits the body, authenticates the bearer token (every API
/// route but `/healthz`), turns every failure into the JSON error body with the right status
/// (never a 500 for bad input), and logs each API request (changes at info, reads at debug).
struct APIMiddleware: RouterMiddleware {
    typealias Context = ArcadiaRequestContext
    let issuer: TokenIssuer
    let throttle: AuthThrottle
    let maxBodyBytes: Int
    let logger: Logger

    static var requestIDField: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID =
            request.headers[Self.requestIDField].flatMap { $0.count <= 200 && $0.allSatisfy { $0.isASCII && !$0.isNewline } ? $0 : nil }
            ?? UUID().uuidString.lowercased()
        return try await RequestID.$current.withValue(requestID) {
            var response: Response
            // The dashboard's pages have their own sessions and HTML errors.
            if Dashboard.serves(request.uri.path) {
                response = try await next(request, context)
            } else {
                let started = ContinuousClock.now
                do {
                    response = try await authenticated(request, context: context, next: next)
                } catch {
                    response = Self.response(Self.apiError(error, requestID: requestID, logger: logger))
                }
                let elapsed = ContinuousClock.now - started
                logger.log(
                    level: request.method == .get || request.method == .head ? .debug : .info, "api request",
                    metadata: [
                        "request.id": "\(requestID)", "http.method": "\(request.method)", "http.path": "\(request.uri.path)",
                        "http.status": "\(response.status.code)",
                        "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                    ])
            }
            response.headers[Self.requestIDField] = requestID
            return response
        }
    }

    private func authenticated(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw APIError(413, "payload_too_large", "the body is \(length) bytes; the limit is \(maxBodyBytes)")
        }
        do {
            _ = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw APIError(413, "payload_too_large", "the body is over the limit of \(maxBodyBytes) bytes")
        }
        if request.uri.path == "/healthz" { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization: Bearer <token> (create one with `arcadia token create`)")
        }
        guard header.lowercased().hasPrefix("bearer ") else { throw APIError.unauthorized("the Authorization header must be Bearer <token>") }
        let token: AccessToken
        do {
            token = try await issuer.authenticate(String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        } catch let error as AccessError {
            if let wait = await throttle.recordFailure(context.clientKey) {
                logger.warning(
                    "too many bad tokens",
                    metadata: ["client": "\(context.clientKey)", "request.id": "\(request.headers[Self.requestIDField] ?? "")"])
                throw APIError(429, "too_many_failures", "too many bad tokens from this address; try again in \(wait) s", retryAfter: wait)
            }
            throw APIError.unauthorized(error.message)
        }
        await issuer.recordUse(token)
        return try await AuthenticatedToken.$current.withValue(token) { try await next(request, context) }
    }

    static func response(_ error: APIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let wait = error.retryAfter { headers[.retryAfter] = String(wait) }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.body)))
    }

    /// The API error for anything a route threw: the handlers' own errors as they are, the
    /// generated code's (a body or parameter that does not decode: its status, 400) and
    /// Hummingbird's (no route, wrong method) in the JSON shape; anything else is a 500 whose
    /// cause goes to the log by request id. Never the request itself: it carries the token.
    static func apiError(_ error: any Error, requestID: String, logger: Logger) -> APIError {
        if let error = error as? APIError { return error }
        if let failed = error as? ServerError {
            if let error = failed.underlyingError as? APIError { return error }
            let status = Int(failed.httpStatus.code)
            if (400..<500).contains(status) {
                return APIError(
                    status, "bad_request", "the request does not match the API (\(failed.operationID)): \(Self.describe(failed.underlyingError))")
            }
            logger.error(
                "request failed",
                metadata: ["request.id": "\(requestID)", "operation": "\(failed.operationID)", "error": "\(Self.describe(failed.underlyingError))"])
            return APIError(500, "internal", "the server failed to answer; see its log under request id \(requestID)")
        }
        if let error = error as? any HTTPResponseError {
            let status = Int(error.status.code)
            switch status {
            case 404: return APIError(404, "not_found", "no such route")
            case 405: return APIError(405, "method_not_allowed", "this route does not take that method")
            case 413: return APIError(413, "payload_too_large", "the body is over the size limit")
            default: return APIError(status, "bad_request", "the request could not be read")
            }
        }
        logger.error("request failed", metadata: ["request.id": "\(requestID)", "error": "\(Self.describe(error))"])
        return APIError(500, "internal", "the server failed to answer; see its log under request id \(requestID)")
    }

    /// An error's description, short, for a client or the log.
    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context): return "malformed JSON: \(context.debugDescription)"
            case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
            case .typeMismatch(let type, let context):
                return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type)"
            case .valueNotFound(_, let context): return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is null"
            @unknown default: return "the body does not decode"
            }
        }
        return String(String(describing: error).prefix(300))
    }
}
