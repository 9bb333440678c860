import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/databases`, optionally only the clusters carrying a tag. DigitalOcean answers this
    /// listing in one piece (no pages).
    public func databaseClusters(tagName: String? = nil) -> PaginatedSequence<DatabaseCluster> {
        collection(DatabaseCluster.self, "/v2/databases", query: tagName.map { [("tag_name", $0)] } ?? [], key: "databases")
    }

    /// `GET /v2/databases/{database_cluster_uuid}`.
    public func databaseCluster(id: String) async throws -> DatabaseCluster {
        try await object(DatabaseCluster.self, .GET, "/v2/databases/\(id)", key: "database")
    }

    /// `POST /v2/databases` (201): a managed database cluster of `numNodes` nodes of `size`.
    public func createDatabaseCluster(
        name: String, engine: String, size: String, region: String, numNodes: Int = 1, tags: [String] = []
    ) async throws -> DatabaseCluster {
        struct Body: Encodable, Sendable {
            var name: String
            var engine: String
            var size: String
            var region: String
            var numNodes: Int
            var tags: [String]
        }
        return try await object(
            DatabaseCluster.self, .POST, "/v2/databases",
            body: Body(name: name, engine: engine, size: size, region: region, numNodes: numNodes, tags: tags), key: "database")
    }

    /// `DELETE /v2/databases/{database_cluster_uuid}` (204).
    public func deleteDatabaseCluster(id: String) async throws {
        try await discard(.DELETE, "/v2/databases/\(id)")
    }
}
