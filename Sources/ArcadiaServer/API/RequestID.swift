/// The id of the request being handled (kept from `X-Request-Id` or made), set by
/// ``APIMiddleware`` for the handlers and pages, whose log lines carry it as `request.id`.
enum RequestID {
    @TaskLocal static var current: String?
}
