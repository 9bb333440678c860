import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/reserved_ips`.
    public func reservedIPs() -> PaginatedSequence<ReservedIP> {
        collection(ReservedIP.self, "/v2/reserved_ips", key: "reserved_ips")
    }

    /// `GET /v2/reserved_ips/{ip}`.
    public func reservedIP(_ ip: String) async throws -> ReservedIP {
        try await object(ReservedIP.self, .GET, "/v2/reserved_ips/\(ip)", key: "reserved_ip")
    }

    /// `POST /v2/reserved_ips` (202) in a region, unassigned.
    public func createReservedIP(region: String) async throws -> ReservedIP {
        struct Body: Encodable, Sendable { var region: String }
        return try await object(ReservedIP.self, .POST, "/v2/reserved_ips", body: Body(region: region), key: "reserved_ip")
    }

    /// `POST /v2/reserved_ips` (202) assigned to a droplet at once.
    public func createReservedIP(dropletID: Int) async throws -> ReservedIP {
        struct Body: Encodable, Sendable {
            var dropletID: Int
            enum CodingKeys: String, CodingKey { case dropletID = "dropletId" }
        }
        return try await object(ReservedIP.self, .POST, "/v2/reserved_ips", body: Body(dropletID: dropletID), key: "reserved_ip")
    }

    /// `DELETE /v2/reserved_ips/{ip}`.
    public func deleteReservedIP(_ ip: String) async throws {
        try await discard(.DELETE, "/v2/reserved_ips/\(ip)")
    }

    /// `POST /v2/reserved_ips/{ip}/actions` `assign` (201).
    public func assignReservedIP(_ ip: String, dropletID: Int) async throws -> Action {
        struct Body: Encodable, Sendable {
            var type = "assign"
            var dropletID: Int
            enum CodingKeys: String, CodingKey { case type, dropletID = "dropletId" }
        }
        return try await object(Action.self, .POST, "/v2/reserved_ips/\(ip)/actions", body: Body(dropletID: dropletID), key: "action")
    }

    /// `POST /v2/reserved_ips/{ip}/actions` `unassign` (201).
    public func unassignReservedIP(_ ip: String) async throws -> Action {
        struct Body: Encodable, Sendable { var type = "unassign" }
        return try await object(Action.self, .POST, "/v2/reserved_ips/\(ip)/actions", body: Body(), key: "action")
    }
}
