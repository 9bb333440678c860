import DigitalOcean
import Foundation
import SagaEngine

extension InventoryKind {
    /// Every kind the inventory syncs, parents before children.
    public static let all: [InventoryKind] = [
        droplets, dropletSnapshots, volumeSnapshots, images, volumes, domains, domainRecords, reservedIPs, firewalls,
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
            try await listing.client.images(isPrivate: true).walkingOnce().collect().filter { $0.type != "snapshot" && $0.type != "backup" }.map { image in
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
        "domain", exists: { client, id in try await found { _ = try await client.domain(name: id) } },
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
        "reserved_ip", exists: { client, id in try await found { _ = try await client.reservedIP(id) } },
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
}
