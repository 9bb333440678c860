import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/firewalls`.
    public func firewalls() -> PaginatedSequence<Firewall> {
        collection(Firewall.self, "/v2/firewalls", key: "firewalls")
    }

    /// `GET /v2/firewalls/{id}`.
    public func firewall(id: String) async throws -> Firewall {
        try await object(Firewall.self, .GET, "/v2/firewalls/\(id)", key: "firewall")
    }

    /// `POST /v2/firewalls` (202). At least one rule is required.
    public func createFirewall(_ request: FirewallRequest) async throws -> Firewall {
        try await object(Firewall.self, .POST, "/v2/firewalls", body: request, key: "firewall")
    }

    /// `PUT /v2/firewalls/{id}`: replaces the whole firewall.
    public func updateFirewall(id: String, _ request: FirewallRequest) async throws -> Firewall {
        try await object(Firewall.self, .PUT, "/v2/firewalls/\(id)", body: request, key: "firewall")
    }

    /// `DELETE /v2/firewalls/{id}`.
    public func deleteFirewall(id: String) async throws {
        try await discard(.DELETE, "/v2/firewalls/\(id)")
    }

    /// `POST /v2/firewalls/{id}/droplets` (204).
    public func addDroplets(toFirewall id: String, dropletIDs: [Int]) async throws {
        try await discard(.POST, "/v2/firewalls/\(id)/droplets", body: DropletIDsBody(dropletIDs: dropletIDs))
    }

    /// `DELETE /v2/firewalls/{id}/droplets` (204).
    public func removeDroplets(fromFirewall id: String, dropletIDs: [Int]) async throws {
        try await discard(.DELETE, "/v2/firewalls/\(id)/droplets", body: DropletIDsBody(dropletIDs: dropletIDs))
    }

    private struct DropletIDsBody: Encodable, Sendable {
        var dropletIDs: [Int]
        enum CodingKeys: String, CodingKey { case dropletIDs = "dropletIds" }
    }
}
