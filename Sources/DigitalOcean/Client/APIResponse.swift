import Foundation

/// One answer from the API, as the pipeline hands it to the typed helpers.
struct APIResponse: Sendable {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: Data
    var operation: String
    var attempts: Int

    var requestID: String? { headers["x-request-id"] }
}
