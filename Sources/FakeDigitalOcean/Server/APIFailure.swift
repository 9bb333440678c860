/// An error answer in DigitalOcean's shape: `{"id", "message", "request_id"}`.
struct APIFailure: Error, Sendable {
    var status: Int
    var id: String
    var message: String
    var headers: [(String, String)] = []
    /// Members added to the body (routes whose spec gives their errors another shape).
    var extraFields: [(String, JSON)] = []

    /// The spec gives `POST /v2/tags` a 400 of its own shape (`error`, `messages`, `root_causes`).
    func shaped(forRoute template: String, method: String) -> APIFailure {
        guard status == 400, method == "POST", template == "/v2/tags" else { return self }
        var failure = self
        failure.extraFields = [("error", .string(message)), ("messages", .strings([message])), ("root_causes", .strings([message]))]
        return failure
    }

    static func notFound() -> APIFailure {
        APIFailure(status: 404, id: "not_found", message: "The resource you requested could not be found.")
    }

    static func unprocessable(_ message: String) -> APIFailure {
        APIFailure(status: 422, id: "unprocessable_entity", message: message)
    }

    static func badRequest(_ message: String) -> APIFailure {
        APIFailure(status: 400, id: "bad_request", message: message)
    }

    static let unauthorized = APIFailure(status: 401, id: "unauthorized", message: "Unable to authenticate you.")
    static let forbidden = APIFailure(status: 403, id: "forbidden", message: "You do not have access for the attempted action.")
    static let pendingEvent = APIFailure.unprocessable("Droplet already has a pending event.")
}
