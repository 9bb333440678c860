import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/load_balancers`.
    public func loadBalancers() -> PaginatedSequence<LoadBalancer> {
        collection(LoadBalancer.self, "/v2/load_balancers", key: "load_balancers")
    }

    /// `GET /v2/load_balancers/{lb_id}`.
    public func loadBalancer(id: String) async throws -> LoadBalancer {
        try await object(LoadBalancer.self, .GET, "/v2/load_balancers/\(id)", key: "load_balancer")
    }
}
