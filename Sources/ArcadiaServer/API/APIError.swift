public import Foundation

/// An API failure as the server answers it: a status and `{"error": {"code", "message", "details"}}`.
/// Messages name what was wrong and what to do; they never carry SQL or secrets.
public struct APIError: Error, Sendable, Hashable {
    public var status: Int
    public var code: String
    public var message: String
    public var details: [String]
    /// Seconds to wait before trying again (`Retry-After`), for a 429.
    public var retryAfter: Int?

    /// Creates an error.
    public init(_ status: Int, _ code: String, _ message: String, details: [String] = [], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    package static func unauthorized(_ message: String) -> APIError { APIError(401, "unauthorized", message) }
    package static func forbidden(_ message: String) -> APIError { APIError(403, "forbidden", message) }
    package static func notFound(_ message: String) -> APIError { APIError(404, "not_found", message) }
    package static func badRequest(_ message: String, details: [String] = []) -> APIError { APIError(400, "bad_request", message, details: details) }

    /// The JSON body.
    var body: Data {
        var error: [String: Any] = ["code": code, "message": message]
        if !details.isEmpty { error["details"] = details }
        return (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data()
    }
}
