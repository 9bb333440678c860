import Foundation

/// The JSON shapes of the spec (`do-openapi/`), rendered from the simulator's state.
extension World {
    func dropletJSON(_ droplet: SimDroplet, now: Date) -> JSON {
        let size = Catalog.size(droplet.sizeSlug) ?? Catalog.sizes[0]
        let v4: [JSON] =
            droplet.networksReady
            ? [
                .object([
                    ("ip_address", .string(droplet.publicIPv4)), ("netmask", .string("255.255.240.0")),
                    ("gateway", .string(droplet.publicIPv4.split(separator: ".").prefix(3).joined(separator: ".") + ".1")),
                    ("type", .string("public")),
                ]),
                .object([
                    ("ip_address", .string(droplet.privateIPv4)), ("netmask", .string("255.255.0.0")), ("gateway", .string("10.108.0.1")),
                    ("type", .string("private")),
                ]),
            ] : []
        return .object([
            ("id", .int(droplet.id)), ("name", .string(droplet.name)), ("memory", .int(size.memory)), ("vcpus", .int(size.vcpus)),
            ("disk", .int(size.disk)),
            (
                "disk_info",
                .array([.object([("type", .string("local")), ("size", .object([("amount", .int(size.disk)), ("unit", .string("gib"))]))])])
            ),
            ("locked", .bool(droplet.isLocked(at: now))), ("status", .string(droplet.visibleStatus(at: now))), ("kernel", .null),
            ("created_at", .string(SimFormat.date(droplet.createdAt))), ("features", .strings(droplet.features)),
            ("backup_ids", .ints(droplet.backupIDs.filter { backups[$0].map { isListedBackup($0, now: now) } ?? false })),
            ("next_backup_window", .null),
            ("snapshot_ids", .ints(droplet.snapshotIDs.filter { snapshots[$0].map { isListed($0, now: now) } ?? false })),
            ("image", imageJSON(id: droplet.imageID)), ("volume_ids", .strings(droplet.volumeIDs)), ("size", Catalog.sizeJSON(size)),
            ("size_slug", .string(size.slug)), ("networks", .object([("v4", .array(v4)), ("v6", .array([]))])),
            ("region", Catalog.regionJSON(droplet.regionSlug)), ("tags", .strings(droplet.tags)), ("vpc_uuid", .string(droplet.vpcUUID)),
        ])
    }

    func imageJSON(id: Int) -> JSON {
        if let image = Catalog.images.first(where: { $0.id == id }) { return Catalog.imageJSON(image) }
        if let snapshot = snapshots[id] { return snapshotImageJSON(snapshot) }
        return Catalog.imageJSON(Catalog.images[0])
    }

    /// A snapshot or backup as `/v2/images` lists it.
    func snapshotImageJSON(_ snapshot: SimSnapshot, type: String = "snapshot") -> JSON {
        .object([
            ("id", .int(snapshot.id)), ("name", .string(snapshot.name)), ("distribution", .string("Ubuntu")), ("slug", .null),
            ("public", .bool(false)), ("regions", .strings([snapshot.regionSlug])), ("created_at", .string(SimFormat.date(snapshot.createdAt))),
            ("type", .string(type)), ("min_disk_size", .int(snapshot.minDiskSize)),
            ("size_gigabytes", .number(String(format: "%.2f", snapshot.sizeGigabytes))), ("description", .string("")),
            ("tags", .strings(snapshot.tags)), ("status", .string("available")), ("error_message", .string("")),
        ])
    }

    /// A snapshot as `/v2/droplets/{id}/snapshots` lists it: integer id and a `type`.
    func dropletSnapshotJSON(_ snapshot: SimSnapshot) -> JSON {
        .object([
            ("id", .int(snapshot.id)), ("name", .string(snapshot.name)), ("created_at", .string(SimFormat.date(snapshot.createdAt))),
            ("regions", .strings([snapshot.regionSlug])), ("min_disk_size", .int(snapshot.minDiskSize)),
            ("size_gigabytes", .number(String(format: "%.2f", snapshot.sizeGigabytes))), ("type", .string("snapshot")),
        ])
    }

    /// A backup as `/v2/droplets/{id}/backups` lists it: integer id, type `backup`.
    func backupJSON(_ backup: SimSnapshot) -> JSON {
        .object([
            ("id", .int(backup.id)), ("name", .string(backup.name)), ("distribution", .string("Ubuntu")), ("slug", .null), ("public", .bool(false)),
            ("regions", .strings([backup.regionSlug])), ("created_at", .string(SimFormat.date(backup.createdAt))),
            ("min_disk_size", .int(backup.minDiskSize)), ("size_gigabytes", .number(String(format: "%.2f", backup.sizeGigabytes))),
            ("type", .string("backup")),
        ])
    }

    /// A snapshot as `/v2/snapshots` lists it: string ids, `resource_id` and `resource_type`.
    func snapshotJSON(_ snapshot: SimSnapshot) -> JSON {
        .object([
            ("id", .string(String(snapshot.id))), ("name", .string(snapshot.name)), ("created_at", .string(SimFormat.date(snapshot.createdAt))),
            ("regions", .strings([snapshot.regionSlug])), ("min_disk_size", .int(snapshot.minDiskSize)),
            ("size_gigabytes", .number(String(format: "%.2f", snapshot.sizeGigabytes))),
            ("resource_id", .string(snapshot.volumeID ?? String(snapshot.dropletID))),
            ("resource_type", .string(snapshot.volumeID == nil ? "droplet" : "volume")), ("tags", .strings(snapshot.tags)),
        ])
    }

    func actionJSON(_ action: SimAction) -> JSON {
        var members: [(String, JSON)] = [
            ("id", .int(action.id)), ("status", .string(action.status)), ("type", .string(action.type)),
            ("started_at", .string(SimFormat.date(action.startedAt))), ("completed_at", .optional(action.completedAt.map(SimFormat.date))),
            ("resource_id", .optional(action.resourceID)), ("resource_type", .string(action.resourceType)),
        ]
        if let region = action.regionSlug {
            members.append(("region", Catalog.regionJSON(region)))
            members.append(("region_slug", .string(region)))
        } else {
            members.append(("region_slug", .null))
        }
        return .object(members)
    }

    func domainJSON(_ domain: SimDomain) -> JSON {
        .object([("name", .string(domain.name)), ("ttl", .int(domain.ttl)), ("zone_file", .string(zoneFile(domain)))])
    }

    func zoneFile(_ domain: SimDomain) -> String {
        var lines = ["$ORIGIN \(domain.name).", "$TTL \(domain.ttl)"]
        for record in domain.records {
            let name = record.name == "@" ? "\(domain.name)." : "\(record.name).\(domain.name)."
            let data = ["CNAME", "MX", "NS", "SRV"].contains(record.type) && record.data != "@" ? record.data + "." : record.data
            let priority = record.priority.map { "\($0) " } ?? ""
            lines.append("\(name) \(record.ttl) IN \(record.type) \(priority)\(data)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func recordJSON(_ record: SimRecord) -> JSON {
        .object([
            ("id", .int(record.id)), ("type", .string(record.type)), ("name", .string(record.name)), ("data", .string(record.data)),
            ("priority", .optional(record.priority)), ("port", .optional(record.port)), ("ttl", .int(record.ttl)),
            ("weight", .optional(record.weight)), ("flags", .optional(record.flags)), ("tag", .optional(record.tag)),
        ])
    }

    func volumeJSON(_ volume: SimVolume) -> JSON {
        .object([
            ("id", .string(volume.id)), ("region", Catalog.regionJSON(volume.regionSlug)), ("droplet_ids", .ints(volume.dropletIDs)),
            ("name", .string(volume.name)), ("description", .string(volume.description)), ("size_gigabytes", .int(volume.sizeGigabytes)),
            ("created_at", .string(SimFormat.date(volume.createdAt))), ("filesystem_type", .string(volume.filesystemType)),
            ("filesystem_label", .string("")), ("tags", .strings(volume.tags)),
        ])
    }

    func reservedIPJSON(_ reserved: SimReservedIP, now: Date) -> JSON {
        let droplet = reserved.dropletID.flatMap { droplets[$0] }.flatMap { $0.deletedAt == nil ? $0 : nil }
        return .object([
            ("ip", .string(reserved.ip)), ("region", Catalog.regionJSON(reserved.regionSlug)),
            ("droplet", droplet.map { dropletJSON($0, now: now) } ?? .null), ("locked", .bool(reserved.runningActionID != nil)),
            ("project_id", .string(reserved.projectID)),
        ])
    }

    func firewallJSON(_ firewall: SimFirewall, now: Date) -> JSON {
        let ready = firewall.readyAt <= now
        return .object([
            ("id", .string(firewall.id)), ("status", .string(ready ? "succeeded" : "waiting")),
            ("created_at", .string(SimFormat.date(firewall.createdAt))),
            (
                "pending_changes",
                .array(
                    ready
                        ? []
                        : firewall.dropletIDs.map { .object([("droplet_id", .int($0)), ("removing", .bool(false)), ("status", .string("waiting"))]) })
            ),
            ("name", .string(firewall.name)), ("droplet_ids", .ints(firewall.dropletIDs)), ("tags", .strings(firewall.tags)),
            ("inbound_rules", .array(firewall.inboundRules)), ("outbound_rules", .array(firewall.outboundRules)),
        ])
    }

    func tagJSON(_ name: String, now: Date) -> JSON {
        let dropletCount = droplets.values.filter { $0.deletedAt == nil && $0.tags.contains(name) }.count
        let imageCount = snapshots.values.filter { $0.deletedAt == nil && $0.tags.contains(name) }.count
        let volumeCount = volumes.values.filter { $0.deletedAt == nil && $0.tags.contains(name) }.count
        let databaseCount = liveObjects(of: .databases).filter { $0.json["tags"]?.arrayValue?.contains(.string(name)) ?? false }.count
        func counts(_ count: Int) -> JSON { .object([("count", .int(count))]) }
        return .object([
            ("name", .string(name)),
            (
                "resources",
                .object([
                    ("count", .int(dropletCount + imageCount + volumeCount + databaseCount)), ("droplets", counts(dropletCount)),
                    ("images", counts(imageCount)),
                    ("volumes", counts(volumeCount)), ("volume_snapshots", counts(0)), ("databases", counts(databaseCount)),
                ])
            ),
        ])
    }
}
