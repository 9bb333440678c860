import DigitalOcean
import FakeDigitalOcean
import Foundation
import NIOHTTP1
import Testing

/// DigitalOcean's asynchrony and eventual consistency, on the simulator's controllable clock.
@Suite struct SimulatorBehaviourTests {
    static let lagged = SimulatorSettings(
        lags: Lags(
            dropletCreate: 30, action: 10, snapshotAction: 60, listVisibility: 5, getNotFound: 3, snapshotListing: 8, deleteLinger: 6,
            statusLag: 4),
        rateLimits: .unlimited, dropletLimit: 100)

    @Test func aNewDropletIsInvisibleThenNewThenActiveWithNetworks() async throws {
        try await withSimulator(settings: Self.lagged) { sim in
            let client = sim.client()
            let created = try await client.createDroplet(SimulatorHarness.dropletRequest("lag-1", tags: ["lag"]))
            let early = await #expect(throws: DigitalOceanError.self) { try await client.droplet(id: created.droplet.id) }
            #expect(early?.isNotFound == true)
            #expect(try await client.droplets(tagName: "lag").collect().isEmpty)
            try await sim.advance(seconds: 3)
            let fresh = try await client.droplet(id: created.droplet.id)
            #expect(fresh.status == "new" && fresh.locked && fresh.networks.v4.isEmpty)
            #expect(try await client.droplets(tagName: "lag").collect().isEmpty, "still missing from lists")
            try await sim.advance(seconds: 2)
            #expect(try await client.droplets(tagName: "lag").collect().count == 1)
            #expect(try await client.action(id: created.actionIDs[0]).isInProgress)
            try await sim.advance(seconds: 25)
            let active = try await client.droplet(id: created.droplet.id)
            #expect(active.status == "active" && !active.locked && active.publicIPv4 != nil)
            let action = try await client.action(id: created.actionIDs[0])
            #expect(action.isCompleted && action.completedAt != nil)
        }
    }

    @Test func lockedDropletsStatusLagAndPowerRules() async throws {
        try await withSimulator(settings: Self.lagged) { sim in
            let client = sim.client()
            let id = try await client.createDroplet(SimulatorHarness.dropletRequest("power-1")).droplet.id
            try await sim.advance(seconds: 30)
            let poweredOn = await #expect(throws: DigitalOceanError.self) { try await client.powerOnDroplet(id: id) }
            #expect(poweredOn?.message == "Droplet is already powered on.")
            let resizeOn = await #expect(throws: DigitalOceanError.self) { try await client.resizeDroplet(id: id, size: "s-2vcpu-2gb") }
            #expect(resizeOn?.message == "Droplet is currently on. Please power it off to run this event.")

            let off = try await client.powerOffDroplet(id: id)
            #expect(try await client.droplet(id: id).locked)
            let pending = await #expect(throws: DigitalOceanError.self) { try await client.rebootDroplet(id: id) }
            #expect(pending?.message == "Droplet already has a pending event.")
            try await sim.advance(seconds: 10)
            #expect(try await client.action(id: off.id).isCompleted)
            let lagging = try await client.droplet(id: id)
            #expect(lagging.status == "active" && !lagging.locked, "status lags behind the completed action")
            try await sim.advance(seconds: 4)
            #expect(try await client.droplet(id: id).status == "off")
            let offAgain = await #expect(throws: DigitalOceanError.self) { try await client.powerOffDroplet(id: id) }
            #expect(offAgain?.message == "Droplet is already powered off.")
            let same = await #expect(throws: DigitalOceanError.self) { try await client.resizeDroplet(id: id, size: "s-1vcpu-1gb") }
            #expect(same?.message == "The droplet is already set to this size.")
        }
    }

    @Test func aSnapshotAppearsAfterItsActionAndKeepsTheDropletLocked() async throws {
        try await withSimulator(settings: Self.lagged) { sim in
            let client = sim.client()
            let id = try await client.createDroplet(SimulatorHarness.dropletRequest("snap-1")).droplet.id
            try await sim.advance(seconds: 30)
            let action = try await client.snapshotDroplet(id: id, name: "snap-1-img")
            try await sim.advance(seconds: 60)
            #expect(try await client.action(id: action.id).isCompleted)
            #expect(try await client.dropletSnapshots(dropletID: id).collect().isEmpty, "not listed yet")
            #expect(try await client.droplet(id: id).locked, "locked until listed")
            try await sim.advance(seconds: 8)
            let snapshots = try await client.dropletSnapshots(dropletID: id).collect()
            #expect(snapshots.count == 1 && snapshots[0].createdAt == action.startedAt)
            #expect(try await client.droplet(id: id).locked == false)

            try await client.deleteSnapshot(id: String(snapshots[0].id))
            #expect(try await client.dropletSnapshots(dropletID: id).collect().count == 1, "a deleted snapshot lingers")
            await #expect(throws: DigitalOceanError.self) { try await client.snapshot(id: String(snapshots[0].id)) }
            try await sim.advance(seconds: 6)
            #expect(try await client.dropletSnapshots(dropletID: id).collect().isEmpty)
        }
    }

    @Test func deletedDropletsLingerAndFailedCreatesVanish() async throws {
        try await withSimulator(settings: Self.lagged) { sim in
            let client = sim.client()
            let id = try await client.createDroplet(SimulatorHarness.dropletRequest("gone-1", tags: ["gone"])).droplet.id
            try await sim.advance(seconds: 30)
            try await client.deleteDroplet(id: id)
            #expect((await #expect(throws: DigitalOceanError.self) { try await client.droplet(id: id) })?.isNotFound == true)
            #expect(try await client.droplets(tagName: "gone").collect().count == 1, "lingers in lists")
            try await sim.advance(seconds: 6)
            #expect(try await client.droplets(tagName: "gone").collect().isEmpty)

            try await sim.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "action_errored", "remaining": 1}"#)
            let failing = try await client.createDroplet(SimulatorHarness.dropletRequest("doomed-1"))
            try await sim.advance(seconds: 30)
            #expect(try await client.action(id: failing.actionIDs[0]).isErrored)
            #expect((await #expect(throws: DigitalOceanError.self) { try await client.droplet(id: failing.droplet.id) })?.isNotFound == true)
            let state = try await sim.control(.GET, "/state")
            let doomed = (state["droplets"] as? [[String: Any]])?.first { $0["name"] as? String == "doomed-1" }
            #expect(doomed?["deleted_at"] is String, "the control API still shows the deleted droplet")
        }
    }

    @Test func badInputAndLimitsGetDigitalOceansErrors() async throws {
        try await withSimulator(settings: SimulatorSettings(lags: .zero, rateLimits: .unlimited, dropletLimit: 1)) { sim in
            let client = sim.client()
            _ = try await client.createDroplet(SimulatorHarness.dropletRequest("one"))
            let limit = await #expect(throws: DigitalOceanError.self) { try await client.createDroplet(SimulatorHarness.dropletRequest("two")) }
            #expect(limit?.message == "creating this/these droplet(s) will exceed your droplet limit")
            let image = await #expect(throws: DigitalOceanError.self) {
                try await client.createDroplet(DropletCreateRequest(name: "x", region: "nyc3", size: "s-1vcpu-1gb", image: "my-snapshot-name"))
            }
            #expect(image?.message == "You specified an invalid image for Droplet creation.")
            let malformed = try await sim.raw(.POST, "/v2/droplets", body: "{not json")
            #expect(malformed.status == 400)
            let oversized = try await sim.raw(.POST, "/v2/tags", body: #"{"name":"\#(String(repeating: "a", count: 1 << 21))"}"#)
            #expect(oversized.status == 400)
            let settings = try await sim.raw(.PATCH, "/_fake/settings", body: #"{"lagz": {}}"#, token: nil)
            #expect(settings.status == 400 && String(decoding: settings.body, as: UTF8.self).contains("lagz"))
        }
    }

    @Test("a page number near Int.max answers an empty page instead of crashing the simulator")
    func hugePageNumbersDoNotCrash() async throws {
        try await withSimulator { sim in
            for path in [
                "/v2/sizes?per_page=60&page=246299394331827808", "/v2/droplets?page=9223372036854775807&per_page=200", "/v2/regions?page=-5",
            ] {
                let response = try await sim.raw(.GET, path)
                #expect(response.status == 200, "\(path)")
                let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                #expect(body?["meta"] != nil, "\(path)")
            }
            let empty = try await sim.json("/v2/sizes?per_page=60&page=246299394331827808")
            #expect((empty["sizes"] as? [Any])?.isEmpty == true)
            // Still serving.
            #expect(try await sim.raw(.GET, "/v2/account").status == 200)
        }
    }

    @Test("NS and SRV data come back without the trailing dot, like CNAME and MX")
    func hostnameDataIsReadWithoutTheDot() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            _ = try await client.createDomain(name: "dots.example")
            let ns = try await client.createDomainRecord(domain: "dots.example", .init(type: "NS", name: "sub", data: "ns1.other.example."))
            let srv = try await client.createDomainRecord(
                domain: "dots.example", .init(type: "SRV", name: "_sip._tcp", data: "sip.dots.example.", priority: 10, port: 5060, weight: 5))
            #expect(ns.data == "ns1.other.example")
            #expect(srv.data == "sip.dots.example")
            #expect(try await client.domainRecord(domain: "dots.example", id: try #require(srv.id)).data == "sip.dots.example")
        }
    }

    @Test("a deleted droplet's snapshot listing answers 404 like its action listing; its snapshots stay under /v2/snapshots")
    func deletedDropletsListingsAnswer404() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            let id = try await client.createDroplet(SimulatorHarness.dropletRequest("gone-1")).droplet.id
            _ = try await client.snapshotDroplet(id: id, name: "keep-me")
            try await client.deleteDroplet(id: id)
            for listing in ["/v2/droplets/\(id)/snapshots", "/v2/droplets/\(id)/actions"] {
                #expect(try await sim.raw(.GET, listing).status == 404, "\(listing)")
            }
            #expect(try await client.snapshots(resourceType: "droplet").collect().map(\.name) == ["keep-me"])
        }
    }
}
