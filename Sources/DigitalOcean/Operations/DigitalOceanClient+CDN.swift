import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/cdn/endpoints`.
    public func cdnEndpoints() -> PaginatedSequence<CDNEndpoint> {
        collection(CDNEndpoint.self, "/v2/cdn/endpoints", key: "endpoints")
    }

    /// `GET /v2/cdn/endpoints/{cdn_id}`.
    public func cdnEndpoint(id: String) async throws -> CDNEndpoint {
        try await object(CDNEndpoint.self, .GET, "/v2/cdn/endpoints/\(id)", key: "endpoint")
    }
}
