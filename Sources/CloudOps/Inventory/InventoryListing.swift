import DigitalOcean
import Foundation

/// What the kinds of one sync share: the client, the price table, and the parent listings that
/// child kinds walk (records per domain, backups per droplet, pools per cluster, resources per
/// project), each read once per sync.
actor InventoryListing {
    let client: DigitalOceanClient
    let seenAt: Date
    private var sizePrices: [String: Decimal]?
    private var cachedDroplets: [Droplet]?
    private var cachedDomains: [Domain]?
    private var cachedClusters: [KubernetesCluster]?
    private var cachedProjects: [Project]?

    init(client: DigitalOceanClient, seenAt: Date) {
        self.client = client
        self.seenAt = seenAt
    }

    /// Hourly prices by size slug from `/v2/sizes` (DigitalOcean's `price_hourly`).
    func prices() async throws -> [String: Decimal] {
        if let sizePrices { return sizePrices }
        var prices: [String: Decimal] = [:]
        for try await size in client.sizes().walkingOnce() { prices[size.slug] = size.priceHourly }
        sizePrices = prices
        return prices
    }

    /// Whether the price table could be read (otherwise rows keep the prices they had).
    var knownPrices: Bool { sizePrices != nil }

    /// The hourly price of a size slug, when the table knows it.
    func price(size: String?) -> Decimal? {
        guard let size else { return nil }
        return sizePrices?[size]
    }

    /// Every droplet: the default listing and the GPU listing (DigitalOcean leaves GPU droplets
    /// out of the default one).
    func droplets() async throws -> [Droplet] {
        if let cachedDroplets { return cachedDroplets }
        var droplets = try await client.droplets().walkingOnce().collect()
        let known = Set(droplets.map(\.id))
        droplets += try await client.droplets(type: "gpus").walkingOnce().collect().filter { !known.contains($0.id) }
        cachedDroplets = droplets
        return droplets
    }

    /// Every domain.
    func domains() async throws -> [Domain] {
        if let cachedDomains { return cachedDomains }
        let domains = try await client.domains().walkingOnce().collect()
        cachedDomains = domains
        return domains
    }

    /// Every Kubernetes cluster, with its node pools.
    func kubernetesClusters() async throws -> [KubernetesCluster] {
        if let cachedClusters { return cachedClusters }
        let clusters = try await client.kubernetesClusters().walkingOnce().collect()
        cachedClusters = clusters
        return clusters
    }

    /// Every project.
    func projects() async throws -> [Project] {
        if let cachedProjects { return cachedProjects }
        let projects = try await client.projects().walkingOnce().collect()
        cachedProjects = projects
        return projects
    }
}
