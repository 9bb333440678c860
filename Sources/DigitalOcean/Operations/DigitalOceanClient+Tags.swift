import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/tags`.
    public func tags() -> PaginatedSequence<Tag> {
        collection(Tag.self, "/v2/tags", key: "tags")
    }

    /// `GET /v2/tags/{name}`.
    public func tag(name: String) async throws -> Tag {
        try await object(Tag.self, .GET, "/v2/tags/\(name)", key: "tag")
    }

    /// `POST /v2/tags` (201). Creating an existing tag succeeds and returns its canonical
    /// capitalisation, which later URLs must use.
    public func createTag(name: String) async throws -> Tag {
        struct Body: Encodable, Sendable { var name: String }
        return try await object(Tag.self, .POST, "/v2/tags", body: Body(name: name), key: "tag")
    }

    /// `DELETE /v2/tags/{name}`.
    public func deleteTag(name: String) async throws {
        try await discard(.DELETE, "/v2/tags/\(name)")
    }

    /// `POST /v2/tags/{name}/resources` (204).
    public func tagResources(tag: String, _ resources: [TagResource]) async throws {
        try await discard(.POST, "/v2/tags/\(tag)/resources", body: ResourcesBody(resources: resources))
    }

    /// `DELETE /v2/tags/{name}/resources` (204).
    public func untagResources(tag: String, _ resources: [TagResource]) async throws {
        try await discard(.DELETE, "/v2/tags/\(tag)/resources", body: ResourcesBody(resources: resources))
    }

    private struct ResourcesBody: Encodable, Sendable { var resources: [TagResource] }
}
