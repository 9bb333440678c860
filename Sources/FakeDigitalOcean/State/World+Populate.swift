import Foundation

extension World {
    /// See ``Simulator/populate(droplets:domain:records:tag:)``.
    mutating func populate(droplets count: Int, domain: String, records: Int, tag: String?) {
        let now = self.now
        // Created as long ago as the listing and GET lags, so that everything reads at once.
        let createdAt = now.addingTimeInterval(-max(settings.lags.listVisibility, settings.lags.getNotFound))
        let tags = tag.flatMap { try? canonicalTag($0) }.map { [$0] } ?? []
        let vpc = SimFormat.uuid(&random)
        var addresses: [String] = []
        addresses.reserveCapacity(max(0, count))
        droplets.reserveCapacity(droplets.count + max(0, count))
        for _ in 0..<max(0, count) {
            var droplet = SimDroplet(
                id: nextDropletID, name: "bench-\(nextDropletID)", sizeSlug: "s-1vcpu-1gb", regionSlug: "nyc3", imageID: Catalog.images[0].id,
                status: "active", createdAt: createdAt, tags: tags, features: ["private_networking"], vpcUUID: vpc,
                publicIPv4: allocateAddress(prefix: "203.0"), privateIPv4: allocateAddress(prefix: "10.108"))
            droplet.networksReady = true
            nextDropletID += 1
            droplets[droplet.id] = droplet
            addresses.append(droplet.publicIPv4)
        }
        let zone = domain.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard records > 0 || domains[zone] == nil, !zone.isEmpty else { return }
        var simDomain = domains[zone] ?? SimDomain(name: zone, createdAt: createdAt)
        func record(_ type: String, _ name: String, _ data: String) -> SimRecord {
            defer { nextRecordID += 1 }
            return SimRecord(id: nextRecordID, type: type, name: name, data: data, ttl: 1800)
        }
        if domains[zone] == nil {
            simDomain.records.append(record("SOA", "@", "1800"))
            for server in ["ns1", "ns2", "ns3"] { simDomain.records.append(record("NS", "@", "\(server).digitalocean.com")) }
        }
        simDomain.records.reserveCapacity(simDomain.records.count + max(0, records))
        for index in 0..<max(0, records) {
            let data = addresses.isEmpty ? "198.18.\(index / 250 % 250).\(index % 250 + 1)" : addresses[index % addresses.count]
            simDomain.records.append(record("A", "host-\(nextRecordID)", data))
        }
        domains[zone] = simDomain
    }
}
