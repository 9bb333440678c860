import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/actions/{id}`.
    public func action(id: Int) async throws -> Action {
        try await object(Action.self, .GET, "/v2/actions/\(id)", key: "action")
    }

    /// `GET /v2/actions`: every action of the account (completed ones are kept forever).
    public func actions() -> PaginatedSequence<Action> {
        collection(Action.self, "/v2/actions", key: "actions")
    }
}
