import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/apps`.
    public func apps() -> PaginatedSequence<App> {
        collection(App.self, "/v2/apps", key: "apps")
    }

    /// `GET /v2/apps/{id}`.
    public func app(id: String) async throws -> App {
        try await object(App.self, .GET, "/v2/apps/\(id)", key: "app")
    }
}
