import Foundation

/// One mutating request as the simulator saw it.
struct AuditEntry: Sendable {
    var sequence: Int
    var at: Date
    var requestID: String
    var token: String
    var method: String
    var path: String
    var route: String
    var query: String
    var body: JSON?
    var status: Int
    var fault: String?
    /// Ids the request created (droplet, action, record, …).
    var created: [String]

    var json: JSON {
        .object([
            ("sequence", .int(sequence)), ("at", .string(SimFormat.date(at))), ("request_id", .string(requestID)), ("token", .string(token)),
            ("method", .string(method)), ("path", .string(path)), ("route", .string(route)), ("query", .string(query)),
            ("body", body ?? .null), ("status", .int(status)), ("fault", .optional(fault)), ("created", .strings(created)),
        ])
    }
}
