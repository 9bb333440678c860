import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/volumes`, optionally by name and region.
    public func volumes(name: String? = nil, region: String? = nil) -> PaginatedSequence<Volume> {
        var query: [(String, String)] = []
        if let name { query.append(("name", name)) }
        if let region { query.append(("region", region)) }
        return collection(Volume.self, "/v2/volumes", query: query, key: "volumes")
    }

    /// `GET /v2/volumes/{id}`.
    public func volume(id: String) async throws -> Volume {
        try await object(Volume.self, .GET, "/v2/volumes/\(id)", key: "volume")
    }

    /// `POST /v2/volumes` (201).
    public func createVolume(_ request: VolumeCreateRequest) async throws -> Volume {
        try await object(Volume.self, .POST, "/v2/volumes", body: request, key: "volume")
    }

    /// `DELETE /v2/volumes/{id}`.
    public func deleteVolume(id: String) async throws {
        try await discard(.DELETE, "/v2/volumes/\(id)")
    }
}
