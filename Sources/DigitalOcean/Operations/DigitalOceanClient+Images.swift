import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/snapshots`, optionally only `droplet` or `volume` snapshots.
    public func snapshots(resourceType: String? = nil) -> PaginatedSequence<Snapshot> {
        collection(Snapshot.self, "/v2/snapshots", query: resourceType.map { [("resource_type", $0)] } ?? [], key: "snapshots")
    }

    /// `GET /v2/snapshots/{id}` (droplet snapshot ids are integers written as strings).
    public func snapshot(id: String) async throws -> Snapshot {
        try await object(Snapshot.self, .GET, "/v2/snapshots/\(id)", key: "snapshot")
    }

    /// `DELETE /v2/snapshots/{id}`. A 404 throws with ``DigitalOceanError/isNotFound``.
    public func deleteSnapshot(id: String) async throws {
        try await discard(.DELETE, "/v2/snapshots/\(id)")
    }

    /// `GET /v2/images`: `type` is `distribution` or `application`; `isPrivate` lists the
    /// account's own images (snapshots, backups, custom images).
    public func images(type: String? = nil, isPrivate: Bool? = nil) -> PaginatedSequence<Image> {
        var query: [(String, String)] = []
        if let type { query.append(("type", type)) }
        if let isPrivate { query.append(("private", String(isPrivate))) }
        return collection(Image.self, "/v2/images", query: query, key: "images")
    }

    /// `GET /v2/images/{id}`.
    public func image(id: Int) async throws -> Image {
        try await object(Image.self, .GET, "/v2/images/\(id)", key: "image")
    }

    /// `GET /v2/images/{slug}`.
    public func image(slug: String) async throws -> Image {
        try await object(Image.self, .GET, "/v2/images/\(slug)", key: "image")
    }
}
