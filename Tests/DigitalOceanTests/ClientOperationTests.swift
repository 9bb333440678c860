import DigitalOcean
import FakeDigitalOcean
import Foundation
import Testing

/// Every client operation against the simulator over real HTTP.
@Suite struct ClientOperationTests {
    @Test func dropletsActionsAndSnapshots() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            let created = try await client.createDroplet(SimulatorHarness.dropletRequest("web-1", tags: ["arcadia", "req:abc"]))
            #expect(created.droplet.status == "new")
            #expect(created.droplet.networks.v4.isEmpty)
            #expect(created.actionIDs.count == 1)
            let createAction = try await client.action(id: created.actionIDs[0])
            #expect(createAction.type == "create" && createAction.isCompleted)

            let droplet = try await client.droplet(id: created.droplet.id)
            #expect(droplet.status == "active" && !droplet.locked)
            #expect(droplet.publicIPv4 != nil)
            #expect(droplet.size.priceHourly == Decimal(string: "0.00743999984115362"))

            let byTag = try await client.droplets(tagName: "req:abc").collect()
            #expect(byTag.map(\.id) == [droplet.id])
            let byName = try await client.droplets(name: "WEB-1").collect()
            #expect(byName.map(\.id) == [droplet.id])
            #expect(try await client.droplets(name: "nope").collect().isEmpty)

            let snapshotAction = try await client.snapshotDroplet(id: droplet.id, name: "web-1-snap")
            #expect(snapshotAction.type == "snapshot" && snapshotAction.resourceID == droplet.id)
            #expect(try await client.dropletAction(dropletID: droplet.id, actionID: snapshotAction.id).isCompleted)
            let snapshots = try await client.dropletSnapshots(dropletID: droplet.id).collect()
            #expect(snapshots.count == 1 && snapshots[0].name == "web-1-snap")
            #expect(snapshots[0].createdAt == snapshotAction.startedAt)
            let snapshot = try await client.snapshot(id: String(snapshots[0].id))
            #expect(snapshot.resourceID == String(droplet.id) && snapshot.resourceType == "droplet")
            #expect(try await client.snapshots(resourceType: "droplet").collect().map(\.id) == [snapshot.id])
            #expect(try await client.images(isPrivate: true).collect().map(\.id) == [snapshots[0].id])
            #expect(try await client.image(id: snapshots[0].id).type == "snapshot")

            for action in [DropletActionRequest.shutdown, .powerOn, .reboot, .powerCycle, .rename(name: "web-1b"), .powerOff] {
                let started = try await client.performDropletAction(dropletID: droplet.id, action)
                #expect(started.type == action.type)
            }
            _ = try await client.resizeDroplet(id: droplet.id, size: "s-2vcpu-2gb")
            #expect(try await client.droplet(id: droplet.id).sizeSlug == "s-2vcpu-2gb")
            _ = try await client.rebuildDroplet(id: droplet.id, image: "ubuntu-22-04-x64")
            _ = try await client.powerOnDroplet(id: droplet.id)
            let rebuilt = try await client.droplet(id: droplet.id)
            #expect(rebuilt.image.slug == "ubuntu-22-04-x64" && rebuilt.name == "web-1b")
            let actions = try await client.dropletActions(dropletID: droplet.id).collect()
            #expect(actions.count == 11)
            #expect(try await client.actions().collect().count == 11)

            try await client.deleteSnapshot(id: snapshot.id)
            let secondDelete = await #expect(throws: DigitalOceanError.self) { try await client.deleteSnapshot(id: snapshot.id) }
            #expect(secondDelete?.isNotFound == true)
            try await client.deleteDroplet(id: droplet.id)
            let gone = await #expect(throws: DigitalOceanError.self) { try await client.deleteDroplet(id: droplet.id) }
            #expect(gone?.isNotFound == true && gone?.isRetryable == false)

            _ = try await client.createDroplet(SimulatorHarness.dropletRequest("batch-1", tags: ["batch"]))
            _ = try await client.createDroplet(SimulatorHarness.dropletRequest("batch-2", tags: ["batch"]))
            try await client.deleteDroplets(tagName: "batch")
            #expect(try await client.droplets(tagName: "batch").collect().isEmpty)
        }
    }

    @Test func domainsAndRecords() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            let domain = try await client.createDomain(name: "example.test", ipAddress: "203.0.113.5")
            #expect(domain.name == "example.test")
            #expect(try await client.domains().collect().map(\.name) == ["example.test"])
            #expect(try await client.domain(name: "example.test").ttl == 1800)

            let records = try await client.domainRecords(domain: "example.test").collect()
            #expect(Set(records.map(\.type)) == ["SOA", "NS", "A"])
            #expect(
                records.filter { $0.type == "NS" }.compactMap(\.data).sorted() == [
                    "ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com",
                ])

            let www = try await client.createDomainRecord(
                domain: "example.test", DomainRecordRequest(type: "A", name: "www", data: "203.0.113.10", ttl: 300))
            let alias = try await client.createDomainRecord(
                domain: "example.test", DomainRecordRequest(type: "CNAME", name: "alias", data: "www.example.test."))
            #expect(alias.data == "www.example.test")
            let aliasID = try #require(alias.id)
            let wwwID = try #require(www.id)
            let noDot = await #expect(throws: DigitalOceanError.self) {
                try await client.createDomainRecord(domain: "example.test", DomainRecordRequest(type: "CNAME", name: "bad", data: "www.example.test"))
            }
            #expect(noDot?.status == 422 && noDot?.message == "Data needs to end with a dot (.)")
            let mxNoDot = await #expect(throws: DigitalOceanError.self) {
                try await client.createDomainRecord(
                    domain: "example.test", DomainRecordRequest(type: "MX", name: "@", data: "mail.example.test", priority: 10))
            }
            #expect(mxNoDot?.status == 422)

            #expect(try await client.domainRecords(domain: "example.test", name: "www.example.test").collect().map(\.id) == [www.id])
            #expect(try await client.domainRecords(domain: "example.test", name: "www").collect().isEmpty)
            #expect(try await client.domainRecords(domain: "example.test", type: "CNAME").collect().map(\.id) == [alias.id])
            #expect(try await client.domainRecord(domain: "example.test", id: wwwID).ttl == 300)

            // A PUT that echoes the stored CNAME without its dot fails, as on DigitalOcean.
            await #expect(throws: DigitalOceanError.self) {
                try await client.updateDomainRecord(
                    domain: "example.test", id: aliasID, DomainRecordRequest(type: "CNAME", name: "alias", data: alias.data ?? ""))
            }
            let updated = try await client.updateDomainRecord(
                domain: "example.test", id: aliasID, DomainRecordRequest(type: "CNAME", name: "alias", data: "@", ttl: 600))
            #expect(updated.data == "@" && updated.ttl == 600)

            let soa = try #require(records.first { $0.type == "SOA" })
            let soaDelete = await #expect(throws: DigitalOceanError.self) {
                try await client.deleteDomainRecord(domain: "example.test", id: try #require(soa.id))
            }
            #expect(soaDelete?.status == 422)
            try await client.deleteDomainRecord(domain: "example.test", id: wwwID)
            #expect(try await client.domainRecords(domain: "example.test", type: "A").collect().count == 1)
            try await client.deleteDomain(name: "example.test")
            #expect(try await client.domains().collect().isEmpty)
        }
    }

    @Test func tagsVolumesReservedIPsAndFirewalls() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            let droplet = try await client.createDroplet(SimulatorHarness.dropletRequest("app-1")).droplet

            let tag = try await client.createTag(name: "Tenant:Acme")
            #expect(tag.name == "Tenant:Acme")
            #expect(try await client.createTag(name: "tenant:acme").name == "Tenant:Acme")
            try await client.tagResources(tag: "Tenant:Acme", [.droplet(droplet.id)])
            #expect(try await client.droplets(tagName: "Tenant:Acme").collect().map(\.id) == [droplet.id])
            #expect(try await client.tag(name: "Tenant:Acme").resources?.count == 1)
            #expect(try await client.tags().collect().map(\.name) == ["Tenant:Acme"])
            try await client.untagResources(tag: "Tenant:Acme", [.droplet(droplet.id)])
            #expect(try await client.droplets(tagName: "Tenant:Acme").collect().isEmpty)
            try await client.deleteTag(name: "Tenant:Acme")
            #expect(try await client.tags().collect().isEmpty)

            let volume = try await client.createVolume(VolumeCreateRequest(name: "data-1", sizeGigabytes: 10, region: "nyc3", filesystemType: "ext4"))
            #expect(try await client.volume(id: volume.id).sizeGigabytes == 10)
            #expect(try await client.volumes(name: "data-1", region: "nyc3").collect().map(\.id) == [volume.id])
            try await client.deleteVolume(id: volume.id)
            #expect(try await client.volumes().collect().isEmpty)

            let reserved = try await client.createReservedIP(region: "nyc3")
            #expect(reserved.droplet == nil)
            let assign = try await client.assignReservedIP(reserved.ip, dropletID: droplet.id)
            #expect(assign.type == "assign_ip")
            #expect(try await client.reservedIP(reserved.ip).droplet?.id == droplet.id)
            _ = try await client.unassignReservedIP(reserved.ip)
            #expect(try await client.reservedIP(reserved.ip).droplet == nil)
            let attached = try await client.createReservedIP(dropletID: droplet.id)
            #expect(try await client.reservedIPs().collect().count == 2)
            try await client.deleteReservedIP(reserved.ip)
            try await client.deleteReservedIP(attached.ip)
            #expect(try await client.reservedIPs().collect().isEmpty)

            let rule = FirewallRule(protocol: "tcp", ports: "22", sources: .init(addresses: ["0.0.0.0/0"]))
            let firewall = try await client.createFirewall(FirewallRequest(name: "ssh", inboundRules: [rule]))
            #expect(firewall.inboundRules.first?.ports == "22")
            try await client.addDroplets(toFirewall: firewall.id, dropletIDs: [droplet.id])
            #expect(try await client.firewall(id: firewall.id).dropletIDs == [droplet.id])
            try await client.removeDroplets(fromFirewall: firewall.id, dropletIDs: [droplet.id])
            let renamed = try await client.updateFirewall(id: firewall.id, FirewallRequest(name: "ssh-2", inboundRules: [rule]))
            #expect(renamed.name == "ssh-2")
            #expect(try await client.firewalls().collect().count == 1)
            try await client.deleteFirewall(id: firewall.id)
            #expect(try await client.firewalls().collect().isEmpty)
        }
    }

    @Test func catalogAccountAndBilling() async throws {
        try await withSimulator { sim in
            let client = sim.client(.inventory)
            let sizes = try await client.sizes().collect()
            let basic = try #require(sizes.first { $0.slug == "s-1vcpu-1gb" })
            #expect(basic.priceMonthly == Decimal(5))
            #expect(basic.priceHourly == Decimal(string: "0.00743999984115362"))
            #expect(try await client.regions().collect().contains { $0.slug == "nyc3" })
            #expect(try await client.images(type: "distribution").collect().contains { $0.slug == "ubuntu-20-04-x64" })
            #expect(try await client.image(slug: "ubuntu-24-04-x64").distribution == "Ubuntu")
            #expect(try await client.account().status == "active")

            // An empty account owes nothing (SimulatorBillingTests covers billing with resources).
            let balance = try await client.balance()
            #expect(balance.accountBalance == Decimal(string: "0.00") && balance.monthToDateUsage == 0)
            #expect(try await client.billingHistory().collect().isEmpty)
            #expect(try await client.invoices().collect().isEmpty)
            #expect(try await client.invoiceItems(invoiceUUID: "preview").collect().isEmpty)
        }
    }
}
