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
}
