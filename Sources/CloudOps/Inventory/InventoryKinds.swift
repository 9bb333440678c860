import DigitalOcean
import Foundation
import SagaEngine

extension InventoryKind {
    /// Every kind the inventory syncs, parents before children.
    public static let all: [InventoryKind] = [
        droplets, dropletBackups, dropletSnapshots, volumeSnapshots, images, volumes, domains, domainRecords, reservedIPs, firewalls,
        loadBalancers, databases, kubernetesClusters, kubernetesNodePools, vpcs, projects, projectResources, sshKeys, certificates,
        cdnEndpoints, apps, containerRegistry,
    ]

    static let droplets = InventoryKind(
        "droplet", exists: { client, id in try await found { _ = try await client.droplet(id: Int(id) ?? -1) } },
        list: { listing in
            try await listing.droplets().map { .droplet($0, sagaID: nil, deploymentID: nil, seenAt: listing.seenAt) }
        })

    static let dropletSnapshots = InventoryKind(
        "snapshot", exists: { client, id in try await found { _ = try await client.snapshot(id: id) } },
        list: { listing in try await snapshots(listing, resourceType: "droplet", kind: "snapshot") })

    static let volumeSnapshots = InventoryKind(
        "volume_snapshot", exists: { client, id in try await found { _ = try await client.snapshot(id: id) } },
        list: { listing in try await snapshots(listing, resourceType: "volume", kind: "volume_snapshot") })

    private static func snapshots(_ listing: InventoryListing, resourceType: String, kind: String) async throws -> [CloudResource] {
        try await listing.client.snapshots(resourceType: resourceType).walkingOnce().collect().map { snapshot in
            .listed(
                kind, id: snapshot.id, name: snapshot.name, region: snapshot.regions.first, tags: snapshot.tags ?? [],
                attributes: [
                    "size_gigabytes": .string("\(snapshot.sizeGigabytes)"), "min_disk_size": .int(snapshot.minDiskSize),
                    "resource_id": .string(snapshot.resourceID), "regions": .array(snapshot.regions.map { .string($0) }),
                ],
                createdAt: snapshot.createdAt,
                price: InventoryPrices.hourly(monthly: snapshot.sizeGigabytes * InventoryPrices.snapshotPerGiBMonth), seenAt: listing.seenAt)
        }
    }

    static let images = InventoryKind(
        "image", exists: { client, id in try await found { _ = try await client.image(id: Int(id) ?? -1) } },
        list: { listing in
            // Snapshots and backups show in the private image listing too; they are their own kinds.
            try await listing.client.images(isPrivate: true).walkingOnce().collect().filter { $0.type != "snapshot" && $0.type != "backup" }.map {
                image in
                var attributes: [String: JSONValue] = ["regions": .array(image.regions.map { .string($0) })]
                if let type = image.type { attributes["type"] = .string(type) }
                if let distribution = image.distribution { attributes["distribution"] = .string(distribution) }
                if let size = image.sizeGigabytes { attributes["size_gigabytes"] = .string("\(size)") }
                return .listed(
                    "image", id: String(image.id), name: image.name ?? String(image.id), region: image.regions.first, status: image.status,
                    tags: image.tags ?? [], attributes: attributes, createdAt: image.createdAt,
                    price: image.sizeGigabytes.map { InventoryPrices.hourly(monthly: $0 * InventoryPrices.snapshotPerGiBMonth) },
                    seenAt: listing.seenAt)
            }
        })

    static let volumes = InventoryKind(
        "volume", exists: { client, id in try await found { _ = try await client.volume(id: id) } },
        list: { listing in
            try await listing.client.volumes().walkingOnce().collect().map { volume in
                let size = volume.sizeGigabytes ?? 0
                return .listed(
                    "volume", id: volume.id, name: volume.name ?? volume.id, region: volume.region?.slug,
                    status: (volume.dropletIDs ?? []).isEmpty ? "available" : "attached", tags: volume.tags ?? [],
                    attributes: [
                        "size_gigabytes": .int(size), "droplet_ids": .array((volume.dropletIDs ?? []).map { .int($0) }),
                        "filesystem_type": .string(volume.filesystemType ?? ""),
                    ],
                    createdAt: volume.createdAt, price: InventoryPrices.hourly(monthly: Decimal(size) * InventoryPrices.volumePerGiBMonth),
                    seenAt: listing.seenAt)
            }
        })

    static let domains = InventoryKind(
        "domain", reusesIDs: true, exists: { client, id in try await found { _ = try await client.domain(name: id) } },
        list: { listing in
            try await listing.domains().map { domain in
                .listed(
                    "domain", id: domain.name.lowercased(), name: domain.name, attributes: domain.ttl.map { ["ttl": .int($0)] } ?? [:],
                    seenAt: listing.seenAt)
            }
        })

    static let domainRecords = InventoryKind(
        "domain_record",
        list: { listing in
            var rows: [CloudResource] = []
            for domain in try await listing.domains() {
                for try await record in listing.client.domainRecords(domain: domain.name).walkingOnce() {
                    // A record without an id of its own cannot be followed from sync to sync.
                    guard let id = record.id else { continue }
                    var attributes: [String: JSONValue] = ["domain": .string(domain.name.lowercased()), "type": .string(record.type)]
                    if let data = record.data { attributes["data"] = .string(data) }
                    if let ttl = record.ttl { attributes["ttl"] = .int(ttl) }
                    if let priority = record.priority { attributes["priority"] = .int(priority) }
                    if let port = record.port { attributes["port"] = .int(port) }
                    if let weight = record.weight { attributes["weight"] = .int(weight) }
                    rows.append(.listed("domain_record", id: String(id), name: record.name ?? "@", attributes: attributes, seenAt: listing.seenAt))
                }
            }
            return rows
        })

    static let reservedIPs = InventoryKind(
        "reserved_ip", reusesIDs: true, exists: { client, id in try await found { _ = try await client.reservedIP(id) } },
        list: { listing in
            try await listing.client.reservedIPs().walkingOnce().collect().map { reserved in
                let assigned = reserved.droplet != nil
                return .listed(
                    "reserved_ip", id: reserved.ip, name: reserved.ip, region: reserved.region?.slug, status: assigned ? "assigned" : "unassigned",
                    attributes: reserved.droplet.map { ["droplet_id": .int($0.id)] } ?? [:],
                    price: assigned ? 0 : InventoryPrices.hourly(monthly: InventoryPrices.unassignedReservedIPMonth), seenAt: listing.seenAt)
            }
        })

    static let firewalls = InventoryKind(
        "firewall", exists: { client, id in try await found { _ = try await client.firewall(id: id) } },
        list: { listing in
            try await listing.client.firewalls().walkingOnce().collect().map { firewall in
                .listed(
                    "firewall", id: firewall.id, name: firewall.name ?? firewall.id, status: firewall.status, tags: firewall.tags,
                    attributes: [
                        "droplet_ids": .array(firewall.dropletIDs.map { .int($0) }), "inbound_rules": .int(firewall.inboundRules.count),
                        "outbound_rules": .int(firewall.outboundRules.count),
                    ],
                    createdAt: firewall.createdAt, seenAt: listing.seenAt)
            }
        })

    static let dropletBackups = InventoryKind(
        "droplet_backup", exists: { client, id in try await found { _ = try await client.image(id: Int(id) ?? -1) } },
        list: { listing in
            var rows: [CloudResource] = []
            // Only droplets with backups have any: one request per such droplet, none for the rest.
            for droplet in try await listing.droplets() where !droplet.backupIDs.isEmpty || droplet.features.contains("backups") {
                for try await backup in listing.client.dropletBackups(dropletID: droplet.id).walkingOnce() {
                    var attributes: [String: JSONValue] = ["droplet_id": .int(droplet.id)]
                    if let size = backup.sizeGigabytes { attributes["size_gigabytes"] = .string("\(size)") }
                    if let disk = backup.minDiskSize { attributes["min_disk_size"] = .int(disk) }
                    rows.append(
                        .listed(
                            "droplet_backup", id: String(backup.id), name: backup.name ?? String(backup.id), region: backup.regions.first,
                            attributes: attributes, createdAt: backup.createdAt, seenAt: listing.seenAt))
                }
            }
            return rows
        })

    static let loadBalancers = InventoryKind(
        "load_balancer", exists: { client, id in try await found { _ = try await client.loadBalancer(id: id) } },
        list: { listing in
            try await listing.client.loadBalancers().walkingOnce().collect().map { lb in
                let nodes = lb.sizeUnit ?? 1
                var attributes: [String: JSONValue] = [
                    "droplet_ids": .array(lb.dropletIDs.map { .int($0) }), "size_unit": .int(nodes),
                    "forwarding_rules": .int(lb.forwardingRules.count),
                ]
                if let ip = lb.ip { attributes["ip"] = .string(ip) }
                if let tag = lb.tag { attributes["target_tag"] = .string(tag) }
                return .listed(
                    "load_balancer", id: lb.id, name: lb.name ?? lb.id, region: lb.region, size: lb.size, status: lb.status,
                    attributes: attributes, createdAt: lb.createdAt,
                    price: InventoryPrices.hourly(monthly: Decimal(nodes) * InventoryPrices.loadBalancerNodeMonth), seenAt: listing.seenAt)
            }
        })

    static let databases = InventoryKind(
        "database", exists: { client, id in try await found { _ = try await client.databaseCluster(id: id) } },
        list: { listing in
            try await listing.client.databaseClusters().walkingOnce().collect().map { db in
                var attributes: [String: JSONValue] = [:]
                if let engine = db.engine { attributes["engine"] = .string(engine) }
                if let version = db.version { attributes["version"] = .string(version) }
                if let nodes = db.numNodes { attributes["num_nodes"] = .int(nodes) }
                if let storage = db.storageSizeMib { attributes["storage_size_mib"] = .int(storage) }
                let price = db.size.flatMap { InventoryPrices.databaseNodeMonth[$0] }.map {
                    InventoryPrices.hourly(monthly: $0 * Decimal(db.numNodes ?? 1))
                }
                return .listed(
                    "database", id: db.id, name: db.name ?? db.id, region: db.region, size: db.size, status: db.status, tags: db.tags,
                    attributes: attributes, createdAt: db.createdAt, price: price, seenAt: listing.seenAt)
            }
        })

    static let kubernetesClusters = InventoryKind(
        "kubernetes_cluster", exists: { client, id in try await found { _ = try await client.kubernetesCluster(id: id) } },
        list: { listing in
            try await listing.kubernetesClusters().map { cluster in
                var attributes: [String: JSONValue] = ["node_pools": .int(cluster.nodePools.count)]
                if let version = cluster.version { attributes["version"] = .string(version) }
                if let vpc = cluster.vpcUUID { attributes["vpc_uuid"] = .string(vpc) }
                return .listed(
                    "kubernetes_cluster", id: cluster.id, name: cluster.name ?? cluster.id, region: cluster.region, status: cluster.status?.state,
                    tags: cluster.tags, attributes: attributes, createdAt: cluster.createdAt, seenAt: listing.seenAt)
            }
        })

    static let kubernetesNodePools = InventoryKind(
        "kubernetes_node_pool",
        list: { listing in
            var rows: [CloudResource] = []
            // Pools come with their cluster: no request of their own.
            for cluster in try await listing.kubernetesClusters() {
                for pool in cluster.nodePools {
                    let count = pool.count ?? pool.nodes.count
                    let price = await listing.price(size: pool.size).map { $0 * Decimal(count) }
                    rows.append(
                        .listed(
                            "kubernetes_node_pool", id: pool.id, name: pool.name ?? pool.id, region: cluster.region, size: pool.size,
                            status: cluster.status?.state, tags: pool.tags,
                            attributes: ["cluster_id": .string(cluster.id), "count": .int(count), "auto_scale": .bool(pool.autoScale ?? false)],
                            price: price, seenAt: listing.seenAt))
                }
            }
            return rows
        })

    static let vpcs = InventoryKind(
        "vpc", exists: { client, id in try await found { _ = try await client.vpc(id: id) } },
        list: { listing in
            try await listing.client.vpcs().walkingOnce().collect().map { vpc in
                var attributes: [String: JSONValue] = ["default": .bool(vpc.isDefault ?? false)]
                if let range = vpc.ipRange { attributes["ip_range"] = .string(range) }
                return .listed(
                    "vpc", id: vpc.id, name: vpc.name ?? vpc.id, region: vpc.region, attributes: attributes, createdAt: vpc.createdAt,
                    seenAt: listing.seenAt)
            }
        })

    static let projects = InventoryKind(
        "project", exists: { client, id in try await found { _ = try await client.project(id: id) } },
        list: { listing in
            try await listing.projects().map { project in
                var attributes: [String: JSONValue] = ["default": .bool(project.isDefault ?? false)]
                if let purpose = project.purpose { attributes["purpose"] = .string(purpose) }
                if let environment = project.environment { attributes["environment"] = .string(environment) }
                return .listed(
                    "project", id: project.id, name: project.name ?? project.id, attributes: attributes, createdAt: project.createdAt,
                    seenAt: listing.seenAt)
            }
        })

    /// Which project holds which resource (a natural home for a tenant's resources): one row per
    /// resource URN, its project in the attributes.
    static let projectResources = InventoryKind(
        "project_resource",
        list: { listing in
            var rows: [CloudResource] = []
            for project in try await listing.projects() {
                for try await resource in listing.client.projectResources(projectID: project.id).walkingOnce() {
                    var attributes: [String: JSONValue] = ["project_id": .string(project.id), "project_name": .string(project.name ?? "")]
                    if let type = resource.resourceType { attributes["resource_type"] = .string(type) }
                    if let id = resource.resourceID { attributes["resource_id"] = .string(id) }
                    rows.append(
                        .listed(
                            "project_resource", id: resource.urn, name: resource.urn, status: resource.status, attributes: attributes,
                            seenAt: listing.seenAt))
                }
            }
            return rows
        })

    static let sshKeys = InventoryKind(
        "ssh_key", exists: { client, id in try await found { _ = try await client.sshKey(id: Int(id) ?? -1) } },
        list: { listing in
            try await listing.client.sshKeys().walkingOnce().collect().map { key in
                .listed(
                    "ssh_key", id: String(key.id), name: key.name ?? String(key.id),
                    attributes: key.fingerprint.map { ["fingerprint": .string($0)] } ?? [:], seenAt: listing.seenAt)
            }
        })

    static let certificates = InventoryKind(
        "certificate", exists: { client, id in try await found { _ = try await client.certificate(id: id) } },
        list: { listing in
            try await listing.client.certificates().walkingOnce().collect().map { certificate in
                var attributes: [String: JSONValue] = ["dns_names": .array(certificate.dnsNames.map { .string($0) })]
                if let type = certificate.type { attributes["type"] = .string(type) }
                if let notAfter = certificate.notAfter { attributes["not_after"] = .string(notAfter.formatted(.iso8601)) }
                return .listed(
                    "certificate", id: certificate.id, name: certificate.name ?? certificate.id, status: certificate.state,
                    attributes: attributes, createdAt: certificate.createdAt, seenAt: listing.seenAt)
            }
        })

    static let cdnEndpoints = InventoryKind(
        "cdn_endpoint", exists: { client, id in try await found { _ = try await client.cdnEndpoint(id: id) } },
        list: { listing in
            try await listing.client.cdnEndpoints().walkingOnce().collect().map { cdn in
                var attributes: [String: JSONValue] = [:]
                if let origin = cdn.origin { attributes["origin"] = .string(origin) }
                if let ttl = cdn.ttl { attributes["ttl"] = .int(ttl) }
                if let domain = cdn.customDomain { attributes["custom_domain"] = .string(domain) }
                return .listed(
                    "cdn_endpoint", id: cdn.id, name: cdn.endpoint ?? cdn.origin ?? cdn.id, attributes: attributes, createdAt: cdn.createdAt,
                    seenAt: listing.seenAt)
            }
        })

    static let apps = InventoryKind(
        "app", exists: { client, id in try await found { _ = try await client.app(id: id) } },
        list: { listing in
            try await listing.client.apps().walkingOnce().collect().map { app in
                var attributes: [String: JSONValue] = [:]
                if let url = app.liveURL { attributes["live_url"] = .string(url) }
                return .listed(
                    "app", id: app.id, name: app.spec?.name ?? app.id, region: app.region ?? app.spec?.region, size: app.tierSlug,
                    status: app.activeDeployment?.phase, attributes: attributes, createdAt: app.createdAt, seenAt: listing.seenAt)
            }
        })

    /// The account's container registry (a singleton: none, or one under its name).
    static let containerRegistry = InventoryKind(
        "container_registry", reusesIDs: true,
        exists: { client, id in try await client.registry().map { $0.name == id } ?? false },
        list: { listing in
            guard let registry = try await listing.client.registry() else { return [] }
            var attributes: [String: JSONValue] = [:]
            if let bytes = registry.storageUsageBytes { attributes["storage_usage_bytes"] = .int(bytes) }
            if let tier = registry.subscription?.tier?.slug { attributes["tier"] = .string(tier) }
            let price = registry.subscription?.tier?.monthlyPriceInCents.map { InventoryPrices.hourly(monthly: Decimal($0) / 100) }
            return [
                .listed(
                    "container_registry", id: registry.name, name: registry.name, region: registry.region,
                    size: registry.subscription?.tier?.slug, attributes: attributes, createdAt: registry.createdAt, price: price,
                    seenAt: listing.seenAt)
            ]
        })
}
