import AccessControl

/// A signed-in browser, as a page sees it: the live token its session was opened with and the
/// value the session's forms must carry (`csrf`).
struct DashboardSession: Sendable {
    var token: AccessToken
    var csrf: String
}
