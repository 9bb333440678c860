/// An error answer in DigitalOcean's shape: `{"id", "message", "request_id"}`.
struct APIFailure: Error, Sendable {
    var status: Int
    var id: String
    var message: String
    var headers: [(String, String)] = []

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
