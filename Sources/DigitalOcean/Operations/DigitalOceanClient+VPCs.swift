import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/vpcs`.
    public func vpcs() -> PaginatedSequence<VPC> {
        collection(VPC.self, "/v2/vpcs", key: "vpcs")
    }

    /// `GET /v2/vpcs/{vpc_id}`.
    public func vpc(id: String) async throws -> VPC {
        try await object(VPC.self, .GET, "/v2/vpcs/\(id)", key: "vpc")
    }
}
