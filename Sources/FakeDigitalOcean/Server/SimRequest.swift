import Foundation

/// A request after authentication, as the route handlers see it.
struct SimRequest: Sendable {
    var method: String
    var path: String
    var segments: [String]
    var query: [(String, String)]
    var body: JSON?
    var now: Date
    /// Scheme and authority for absolute links (`http://127.0.0.1:9000`).
    var baseURL: String
    /// The create or action this request starts ends `errored` (an injected fault).
    var actionFails = false

    /// The first value of query parameter `name`.
    func param(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    /// A string member of the JSON body.
    func string(_ key: String) -> String? { body?[key]?.stringValue }

    /// An integer member of the JSON body.
    func int(_ key: String) -> Int? { body?[key]?.intValue }

    /// The path segment at `index` as an integer, or 404.
    func intSegment(_ index: Int) throws -> Int {
        guard index < segments.count, let value = Int(segments[index]) else { throw APIFailure.notFound() }
        return value
    }
}
