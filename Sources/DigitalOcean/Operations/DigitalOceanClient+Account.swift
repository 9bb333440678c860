import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/account`.
    public func account() async throws -> Account {
        try await object(Account.self, .GET, "/v2/account", key: "account")
    }

    /// `GET /v2/sizes`.
    public func sizes() -> PaginatedSequence<Size> {
        collection(Size.self, "/v2/sizes", key: "sizes")
    }

    /// `GET /v2/regions`.
    public func regions() -> PaginatedSequence<Region> {
        collection(Region.self, "/v2/regions", key: "regions")
    }
}
