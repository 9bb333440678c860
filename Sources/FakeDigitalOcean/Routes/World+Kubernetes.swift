import Foundation

/// A Kubernetes cluster's node pools: `GET /v2/kubernetes/clusters/{id}/node_pools` (one piece,
/// no pages, as the spec gives it) and `…/node_pools/{node_pool_id}`. The pools live in the
/// cluster's own object (``SimCollection/kubernetesClusters``).
extension World {
    private func nodePools(_ request: SimRequest) throws -> [JSON] {
        let kind = SimCollection.kubernetesClusters
        let cluster = try liveObject(kind, request.segments[3], now: request.now, fresh: true)
        return kind.render(self, cluster, request.now)["node_pools"]?.arrayValue ?? []
    }

    func listNodePools(_ request: SimRequest) throws -> SimResponse {
        SimResponse(status: 200, body: .object([("node_pools", .array(try nodePools(request)))]))
    }

    func getNodePool(_ request: SimRequest) throws -> SimResponse {
        let id = request.segments[5]
        guard let pool = try nodePools(request).first(where: { $0["id"]?.stringValue == id }) else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("node_pool", pool)]))
    }
}
