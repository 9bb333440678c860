import Foundation

/// What the database keeps of a dashboard session (hummingbird-auth's session value): the API
/// token it was opened with and the CSRF token its forms carry. The token is looked up on every
/// request, so revoking it ends the session at once.
struct WebSession: Codable, Sendable, Hashable {
    var tokenID: UUID
    var csrf: String
}
