import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/kubernetes/clusters`, each cluster with its node pools.
    public func kubernetesClusters() -> PaginatedSequence<KubernetesCluster> {
        collection(KubernetesCluster.self, "/v2/kubernetes/clusters", key: "kubernetes_clusters")
    }

    /// `GET /v2/kubernetes/clusters/{cluster_id}`.
    public func kubernetesCluster(id: String) async throws -> KubernetesCluster {
        try await object(KubernetesCluster.self, .GET, "/v2/kubernetes/clusters/\(id)", key: "kubernetes_cluster")
    }

    /// `GET /v2/kubernetes/clusters/{cluster_id}/node_pools` (one piece, no pages).
    public func kubernetesNodePools(clusterID: String) -> PaginatedSequence<KubernetesNodePool> {
        collection(KubernetesNodePool.self, "/v2/kubernetes/clusters/\(clusterID)/node_pools", key: "node_pools")
    }

    /// `GET /v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}`.
    public func kubernetesNodePool(clusterID: String, id: String) async throws -> KubernetesNodePool {
        try await object(KubernetesNodePool.self, .GET, "/v2/kubernetes/clusters/\(clusterID)/node_pools/\(id)", key: "node_pool")
    }
}
