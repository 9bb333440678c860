/// What a route handler answers: a status, a JSON body (none for 204), and the ids it created
/// (for the audit log).
struct SimResponse: Sendable {
    var status: Int
    var body: JSON?
    var created: [String] = []
}
