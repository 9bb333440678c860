import ArcadiaStorage
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import NIOHTTP1
import SagaEngine
import Synchronization
import Testing

/// Inventory sync, presence and drift against the simulator over HTTP, on every backend.
@Suite("Inventory and drift", .timeLimit(.minutes(5)))
struct InventoryTests {
    /// Moves the simulator's clock past a create's lags (list visibility included).
    static func settle(_ cloud: CloudHarness) async throws {
        let lags = cloud.lags
        _ = try await cloud.control(.POST, "/clock/advance", #"{"seconds": \#(lags.dropletCreate + lags.getNotFound + lags.listVisibility + 1)}"#)
    }

    static func advance(_ cloud: CloudHarness, seconds: Double) async throws {
        _ = try await cloud.control(.POST, "/clock/advance", #"{"seconds": \#(seconds)}"#)
    }

    @Test("a second sync without change writes only last_seen, one statement per kind; presence stays one open interval", arguments: Backend.enabled)
    func noChangeSync(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            let droplets = [try await cloud.makeDroplet("inv-1"), try await cloud.makeDroplet("inv-2", tags: [CloudTags.managed])]
            _ = try await cloud.client.createDomain(name: "inv.example")
            _ = try await cloud.client.createDomainRecord(
                domain: "inv.example", DomainRecordRequest(type: "A", name: "www", data: "203.0.113.9", ttl: 600))
            try await Self.settle(cloud)
            let sync = try cloud.inventorySync()
            let first = try await sync.syncNow()
            #expect(first.status == .succeeded, "\(first.errors)")
            #expect(first.kinds["droplet"]?.added == 2)
            #expect((first.kinds["domain_record"]?.added ?? 0) >= 1)
            #expect(first.requests > 0)
            let rows = try await cloud.store.resources(kind: "droplet", includeDeleted: false)
            #expect(Set(rows.map(\.providerID)) == Set(droplets.map { String($0.id) }))
            let managed = try #require(rows.first { $0.name == "inv-2" })
            #expect(managed.managed && managed.hourlyPrice != nil && managed.sizeSlug == "s-1vcpu-1gb")
            let before = try await cloud.store.resources(kind: nil, includeDeleted: true)

            try await Self.advance(cloud, seconds: 60)
            let second = try await sync.syncNow()
            #expect(second.status == .succeeded)
            for (kind, counts) in second.kinds {
                #expect(counts.added == 0 && counts.changed == 0 && counts.deleted == 0, "\(kind): \(counts)")
                // Only the last_seen statement, and only for kinds with rows.
                #expect(counts.writes == (counts.unchanged > 0 ? 1 : 0), "\(kind): \(counts)")
            }
            let after = try await cloud.store.resources(kind: nil, includeDeleted: true)
            #expect(after.count == before.count)
            for (old, new) in zip(before, after) {
                #expect(old.sameContent(as: new) && old.firstSeenAt == new.firstSeenAt && new.lastSeenAt > old.lastSeenAt)
            }
            let presence = try await cloud.store.presence(kind: "droplet", providerID: nil, from: .distantPast, to: .distantFuture)
            #expect(presence.count == 2 && presence.allSatisfy { $0.endedAt == nil })
            // Presence starts at DigitalOcean's created_at, not at the first sync.
            for interval in presence {
                let droplet = try #require(droplets.first { String($0.id) == interval.providerID })
                #expect(abs(interval.startedAt.timeIntervalSince(droplet.createdAt)) < 1)
            }
            #expect(try await cloud.store.syncRuns(limit: 10).map(\.status) == [.succeeded, .succeeded])
        }
    }

    @Test(
        "a full sync lists every kind a hosted product runs on; a second finds nothing changed; deletes of each kind are seen",
        arguments: Backend.enabled)
    func everyKind(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            let web = try await cloud.client.createDroplet(
                DropletCreateRequest(name: "web-1", region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-24-04-x64", backups: true, tags: ["web"])
            ).droplet
            _ = try await cloud.client.createDroplet(
                DropletCreateRequest(name: "gpu-1", region: "nyc2", size: "gpu-h100x1-80gb", image: "ubuntu-24-04-x64")
            )
            try await Self.settle(cloud)
            _ = try await cloud.client.snapshotDroplet(id: web.id, name: "web-1-snap")
            let volume = try await cloud.client.createVolume(VolumeCreateRequest(name: "data-1", sizeGigabytes: 50, region: "nyc3"))
            try await cloud.api(.POST, "/v2/volumes/\(volume.id)/snapshots", #"{"name":"data-1-snap"}"#)
            _ = try await cloud.client.createDomain(name: "every.example")
            _ = try await cloud.client.createDomainRecord(domain: "every.example", DomainRecordRequest(type: "A", name: "www", data: "203.0.113.1"))
            try await cloud.api(.POST, "/v2/reserved_ips", #"{"region":"nyc3"}"#)
            try await cloud.api(.POST, "/v2/images", #"{"name":"golden","url":"https://images.example/golden.img","region":"nyc3"}"#)
            try await cloud.api(
                .POST, "/v2/firewalls",
                #"{"name":"fw-1","inbound_rules":[{"protocol":"tcp","ports":"22","sources":{"addresses":["0.0.0.0/0"]}}],"tags":["web"]}"#)
            let rules = #""forwarding_rules":[{"entry_protocol":"http","entry_port":80,"target_protocol":"http","target_port":80}]"#
            try await cloud.api(.POST, "/v2/load_balancers", #"{"name":"lb-1","region":"nyc3","tag":"web",\#(rules)}"#)
            try await cloud.api(.POST, "/v2/databases", #"{"name":"db-1","engine":"pg","num_nodes":1,"size":"db-s-1vcpu-1gb","region":"nyc3"}"#)
            try await cloud.api(
                .POST, "/v2/kubernetes/clusters",
                #"{"name":"k8s-1","region":"nyc3","version":"latest","node_pools":[{"name":"pool-1","size":"s-2vcpu-4gb","count":2}]}"#)
            try await cloud.api(.POST, "/v2/vpcs", #"{"name":"vpc-1","region":"nyc3"}"#)
            let project = try await cloud.api(.POST, "/v2/projects", #"{"name":"tenant-a","purpose":"Web Application"}"#, key: "project")
            let projectID = try #require(project["id"] as? String)
            try await cloud.api(.POST, "/v2/projects/\(projectID)/resources", #"{"resources":["do:droplet:\#(web.id)"]}"#)
            try await cloud.api(.POST, "/v2/account/keys", #"{"name":"ops","public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIops ops@example"}"#)
            try await cloud.api(.POST, "/v2/certificates", #"{"name":"cert-1","type":"lets_encrypt","dns_names":["every.example"]}"#)
            try await cloud.api(.POST, "/v2/cdn/endpoints", #"{"origin":"assets.nyc3.digitaloceanspaces.com"}"#)
            try await cloud.api(.POST, "/v2/apps", #"{"spec":{"name":"shop","region":"nyc"}}"#)
            try await cloud.api(.POST, "/v2/registry", #"{"name":"acme","subscription_tier_slug":"basic"}"#)
            cloud.simulator.simulator.addBackup(dropletID: web.id)
            try await Self.settle(cloud)
            _ = try await cloud.control(.POST, "/clock/advance", #"{"seconds": 600}"#)

            let sync = try cloud.inventorySync()
            let first = try await sync.syncNow()
            #expect(first.status == .succeeded, "\(first.errors)")
            for kind in InventoryKind.names {
                #expect((first.kinds[kind]?.added ?? 0) >= 1, "no \(kind) synced: \(first.kinds[kind].map { "\($0)" } ?? "not listed")")
            }
            let gpu = try await cloud.store.resources(kind: "droplet", includeDeleted: false).first { $0.name == "gpu-1" }
            #expect(gpu?.attributes["gpu"] == true && gpu?.hourlyPrice == Decimal(string: "3.39"))
            let pool = try #require(try await cloud.store.resources(kind: "kubernetes_node_pool", includeDeleted: false).first)
            #expect(pool.attributes["count"] == 2 && pool.hourlyPrice != nil && pool.sizeSlug == "s-2vcpu-4gb")
            let placed = try await cloud.store.resource(kind: "project_resource", providerID: "do:droplet:\(web.id)")
            #expect(placed?.attributes["project_id"]?.stringValue == projectID)
            let snapshot = try #require(try await cloud.store.resources(kind: "volume_snapshot", includeDeleted: false).first)
            #expect(snapshot.hourlyPrice ?? 0 > 0 && snapshot.attributes["resource_id"]?.stringValue == volume.id)

            _ = try await cloud.control(.POST, "/clock/advance", #"{"seconds": 60}"#)
            let second = try await sync.syncNow()
            #expect(second.status == .succeeded && second.totals.added == 0 && second.totals.changed == 0 && second.totals.deleted == 0)

            // Deleted out of band, of kinds with and without droplets: a GET 404 (the resources are
            // older than the read-after-create window) marks them deleted at once.
            let lb = try #require(try await cloud.store.resources(kind: "load_balancer", includeDeleted: false).first)
            let db = try #require(try await cloud.store.resources(kind: "database", includeDeleted: false).first)
            try await cloud.api(.DELETE, "/v2/load_balancers/\(lb.providerID)")
            try await cloud.api(.DELETE, "/v2/databases/\(db.providerID)")
            try await cloud.api(.DELETE, "/v2/registry")
            try await cloud.client.deleteVolume(id: volume.id)
            _ = try await cloud.control(.POST, "/clock/advance", #"{"seconds": 60}"#)
            let third = try await sync.syncNow()
            for kind in ["load_balancer", "database", "container_registry", "volume"] {
                #expect(third.kinds[kind]?.deleted == 1, "\(kind): \(third.kinds[kind].map { "\($0)" } ?? "-")")
            }
        }
    }

    @Test(
        "list lag: a droplet invisible to a listing is not marked deleted; one deleted out of band is, after two syncs or a 404, ending when DigitalOcean destroyed it",
        arguments: Backend.enabled)
    func listLagAndDeletion(backend: Backend) async throws {
        // New droplets stay out of listings for an hour (simulated), readable by GET at once.
        var lags = Lags().scaled(by: 0.01)
        lags.listVisibility = 3600
        lags.getNotFound = 0
        try await CloudHarness.with(backend, lags: lags, startWorker: false) { cloud in
            let kept = try await cloud.makeDroplet("lag-kept")
            let doomed = try await cloud.makeDroplet("lag-doomed")
            let noGet = try cloud.inventorySync(InventorySyncConfiguration(confirmWithGet: false, kinds: ["droplet"]))
            let withGet = try cloud.inventorySync(InventorySyncConfiguration(kinds: ["droplet"]))
            _ = try await noGet.syncNow()

            // A droplet registered by a step but not yet listed (DigitalOcean's listing lag).
            let fresh = try await cloud.client.createDroplet(
                DropletCreateRequest(name: "lag-fresh", region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-24-04-x64")
            ).droplet
            try await cloud.store.upsertResource(.droplet(fresh, sagaID: nil, deploymentID: nil, seenAt: cloud.simulator.simulator.now))
            let lagged = try await withGet.syncNow()
            #expect(lagged.kinds["droplet"]?.missing == 1 && lagged.kinds["droplet"]?.deleted == 0)
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(fresh.id))?.deletedAt == nil)
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(fresh.id))?.missedSyncs == 0)
            // The GET proved it exists: seen now, though not listed.
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(fresh.id))?.lastSeenAt ?? .distantPast >= lagged.startedAt)

            // Deleted out of band, ten minutes after the last sync saw it: without GETs, missing from
            // one sync is not enough; two are.
            try await Self.advance(cloud, seconds: 600)
            let deleting = cloud.simulator.simulator.now
            try await cloud.client.deleteDroplet(id: doomed.id)
            let deleted = cloud.simulator.simulator.now
            try await Self.settle(cloud)
            let once = try await noGet.syncNow()
            #expect(once.kinds["droplet"]?.deleted == 0 && once.kinds["droplet"]?.missing == 1)
            let row = try #require(try await cloud.store.resource(kind: "droplet", providerID: String(doomed.id)))
            #expect(row.deletedAt == nil && row.missedSyncs == 1)
            try await Self.advance(cloud, seconds: 30)
            let twice = try await noGet.syncNow()
            #expect(twice.kinds["droplet"]?.deleted == 1)
            let gone = try #require(try await cloud.store.resource(kind: "droplet", providerID: String(doomed.id)))
            // Marked deleted when DigitalOcean destroyed it (its `destroy` action), not when a sync
            // last saw it: the ten minutes between are not lost; its presence closes there.
            #expect(row.lastSeenAt < deleting.addingTimeInterval(-599))
            let deletedAt = try #require(gone.deletedAt)
            // DigitalOcean's times are whole seconds.
            let deletingSecond = Date(timeIntervalSince1970: deleting.timeIntervalSince1970.rounded(.down))
            #expect(
                deletedAt >= deletingSecond.addingTimeInterval(-0.001) && deletedAt <= deleted.addingTimeInterval(0.001),
                "\(deletedAt) \(deleting) \(deleted)")
            let intervals = try await cloud.store.presence(kind: "droplet", providerID: String(doomed.id), from: .distantPast, to: .distantFuture)
            #expect(intervals.count == 1 && intervals[0].endedAt.map { abs($0.timeIntervalSince(deletedAt)) < 0.001 } == true)
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(kept.id))?.deletedAt == nil)

            // With GETs, a 404 marks it deleted at once (unless the droplet is new: DigitalOcean
            // answers 404 for a while after a create).
            try await cloud.client.deleteDroplet(id: kept.id)
            try await Self.settle(cloud)
            let confirmed = try await withGet.syncNow()
            #expect(confirmed.kinds["droplet"]?.deleted == 1)
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(kept.id))?.deletedAt != nil)
        }
    }

    @Test(
        "a sync through injected 429s and 5xx gets the same result; a kind that keeps failing is recorded and its rows are kept",
        arguments: Backend.enabled)
    func faults(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            for index in 0..<5 { _ = try await cloud.makeDroplet("fault-\(index)") }
            _ = try await cloud.client.createVolume(VolumeCreateRequest(name: "vol-1", sizeGigabytes: 10, region: "nyc3"))
            try await Self.settle(cloud)
            let sync = try cloud.inventorySync()
            let clean = try await sync.syncNow()
            #expect(clean.status == .succeeded)

            try await Self.advance(cloud, seconds: 60)
            try await cloud.addFault(#"{"method": "GET", "path": "/v2/droplets", "kind": "rate_limited", "remaining": 2}"#)
            try await cloud.addFault(#"{"method": "GET", "path": "/v2/volumes", "kind": "server_error", "remaining": 2}"#)
            let bumpy = try await sync.syncNow()
            #expect(bumpy.status == .succeeded, "\(bumpy.errors)")
            #expect(bumpy.kinds["droplet"]?.unchanged == 5 && bumpy.kinds["volume"]?.unchanged == 1)
            #expect(bumpy.requests > clean.requests)

            try await cloud.clearFaults()
            try await cloud.addFault(#"{"method": "GET", "path": "/v2/volumes", "kind": "server_error"}"#)
            for _ in 0..<3 {
                try await Self.advance(cloud, seconds: 60)
                let failing = try await sync.syncNow()
                #expect(failing.status == .partial)
                #expect(failing.errors.map(\.kind) == ["volume"])
                #expect(failing.kinds["volume"] == nil && failing.kinds["droplet"]?.unchanged == 5)
            }
            let volumes = try await cloud.store.resources(kind: "volume", includeDeleted: true)
            #expect(volumes.count == 1 && volumes[0].deletedAt == nil && volumes[0].missedSyncs == 0)
            let recorded = try #require(try await cloud.store.syncRuns(limit: 1).first)
            #expect(recorded.status == .partial && recorded.errors.first?.kind == "volume" && recorded.errors.first?.message.contains("500") == true)
        }
    }

    @Test(
        "one sync at a time: a second start is refused while one holds the lease; a stalled holder's lease is taken over and it writes nothing more",
        arguments: Backend.enabled)
    func oneSyncAtATime(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            let store = cloud.store
            let now = Date()
            let first = SyncRun(trigger: "manual", holder: "a", startedAt: now)
            #expect(try await store.beginSync(first, leaseUntil: now.addingTimeInterval(60), notStartedAfter: nil, now: now))
            let second = SyncRun(trigger: "manual", holder: "b", startedAt: now)
            #expect(try await !store.beginSync(second, leaseUntil: now.addingTimeInterval(60), notStartedAfter: nil, now: now))
            // The holder renews with each batch.
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: now), runID: first.id, leaseUntil: now.addingTimeInterval(90), now: now)
            let later = now.addingTimeInterval(80)
            #expect(try await !store.beginSync(second, leaseUntil: later.addingTimeInterval(60), notStartedAfter: nil, now: later))
            // The holder stalls past its lease: another takes over, and the stalled one is fenced off.
            let muchLater = now.addingTimeInterval(120)
            #expect(try await store.beginSync(second, leaseUntil: muchLater.addingTimeInterval(60), notStartedAfter: nil, now: muchLater))
            let stale = SyncBatch(
                kind: "droplet", seenAt: muchLater,
                upserts: [
                    .init(
                        resource: CloudResource(kind: "droplet", providerID: "1", name: "x", firstSeenAt: now, lastSeenAt: now), wasDeleted: nil,
                        presenceStart: now)
                ])
            await #expect(throws: InventoryError.self) {
                _ = try await store.applySyncBatch(stale, runID: first.id, leaseUntil: muchLater.addingTimeInterval(60), now: muchLater)
            }
            #expect(try await store.resource(kind: "droplet", providerID: "1") == nil)
            let runs = try await store.syncRuns(limit: 5)
            #expect(runs.first { $0.id == first.id }?.status == .abandoned)
            #expect(runs.first { $0.id == second.id }?.status == .running)
            // A scheduled start is not due while a run started within the interval.
            var done = second
            done.status = .succeeded
            try await store.finishSync(done, now: muchLater.addingTimeInterval(1))
            let third = SyncRun(trigger: "scheduled", holder: "c", startedAt: muchLater.addingTimeInterval(2))
            #expect(
                try await !store.beginSync(
                    third, leaseUntil: muchLater.addingTimeInterval(62), notStartedAfter: muchLater.addingTimeInterval(-900),
                    now: muchLater.addingTimeInterval(2)))
            #expect(
                try await store.beginSync(
                    third, leaseUntil: muchLater.addingTimeInterval(62), notStartedAfter: muchLater.addingTimeInterval(1),
                    now: muchLater.addingTimeInterval(2)))
            // A failed (or cancelled) run does not hold the schedule back.
            var failed = third
            failed.status = .failed
            try await store.finishSync(failed, now: muchLater.addingTimeInterval(3))
            let fourth = SyncRun(trigger: "scheduled", holder: "d", startedAt: muchLater.addingTimeInterval(4))
            #expect(
                try await store.beginSync(
                    fourth, leaseUntil: muchLater.addingTimeInterval(64), notStartedAfter: muchLater.addingTimeInterval(0.5),
                    now: muchLater.addingTimeInterval(4)))
        }
    }

    @Test("presence is exact across missed syncs and a resource seen again after it was marked deleted", arguments: Backend.enabled)
    func presence(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            let store = cloud.store
            let t0 = Date(timeIntervalSince1970: 1_790_000_000)
            func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
            let run = SyncRun(trigger: "manual", holder: "t", startedAt: t0)
            #expect(try await store.beginSync(run, leaseUntil: at(1000), notStartedAfter: nil, now: t0))
            func row(_ id: String, _ seen: Date) -> CloudResource {
                CloudResource(kind: "droplet", providerID: id, name: id, firstSeenAt: seen, lastSeenAt: seen)
            }
            // Seen at 0 h (created 10 minutes earlier), then no sync for 5 hours, seen at 5 h.
            _ = try await store.applySyncBatch(
                SyncBatch(
                    kind: "droplet", seenAt: t0, upserts: [.init(resource: row("a", t0), wasDeleted: nil, presenceStart: t0.addingTimeInterval(-600))]
                ),
                runID: run.id, leaseUntil: at(1000), now: t0)
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(5), touched: ["a"]), runID: run.id, leaseUntil: at(1000), now: at(5))
            var intervals = try await store.presence(kind: "droplet", providerID: "a", from: .distantPast, to: .distantFuture)
            #expect(intervals == [PresenceInterval(kind: "droplet", providerID: "a", startedAt: t0.addingTimeInterval(-600))])
            // Missing twice (listings lag): marked deleted at its last sighting, 5 h.
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(6), missed: ["a"]), runID: run.id, leaseUntil: at(1000), now: at(6))
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(7), deleted: ["a"]), runID: run.id, leaseUntil: at(1000), now: at(7))
            intervals = try await store.presence(kind: "droplet", providerID: "a", from: .distantPast, to: .distantFuture)
            #expect(intervals.count == 1 && intervals[0].endedAt == at(5))
            #expect(try await store.resource(kind: "droplet", providerID: "a")?.deletedAt == at(5))
            // Seen again under the same id at 8 h: it existed all along; the interval reopens.
            var again = row("a", at(8))
            again.firstSeenAt = t0
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(8), upserts: [.init(resource: again, wasDeleted: true, presenceStart: at(8))]), runID: run.id,
                leaseUntil: at(1000), now: at(8))
            intervals = try await store.presence(kind: "droplet", providerID: "a", from: .distantPast, to: .distantFuture)
            #expect(intervals == [PresenceInterval(kind: "droplet", providerID: "a", startedAt: t0.addingTimeInterval(-600))])
            #expect(try await store.resource(kind: "droplet", providerID: "a")?.deletedAt == nil)
            // Deleted by Arcadia at 9.5 h: closed exactly then.
            try await store.markResourceDeleted(kind: "droplet", providerID: "a", at: at(9.5))
            intervals = try await store.presence(kind: "droplet", providerID: "a", from: .distantPast, to: .distantFuture)
            #expect(intervals.count == 1 && intervals[0].endedAt == at(9.5))
            #expect(intervals[0].seconds(from: t0, to: at(24)) == 9.5 * 3600)
            // A new object under a reused id (a reserved IP released and taken again) opens a new interval.
            let ip = CloudResource(kind: "reserved_ip", providerID: "198.51.0.2", name: "198.51.0.2", firstSeenAt: at(10), lastSeenAt: at(10))
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "reserved_ip", seenAt: at(10), upserts: [.init(resource: ip, wasDeleted: nil, presenceStart: at(10))]), runID: run.id,
                leaseUntil: at(1000), now: at(10))
            try await store.markResourceDeleted(kind: "reserved_ip", providerID: "198.51.0.2", at: at(11))
            _ = try await store.applySyncBatch(
                SyncBatch(
                    kind: "reserved_ip", seenAt: at(12),
                    upserts: [.init(resource: ip, wasDeleted: true, presenceStart: at(11.5), newIncarnation: true)]),
                runID: run.id, leaseUntil: at(1000), now: at(12))
            let ips = try await store.presence(kind: "reserved_ip", providerID: nil, from: .distantPast, to: .distantFuture)
            #expect(ips.map(\.startedAt) == [at(10), at(11.5)] && ips.map(\.endedAt) == [at(11), nil])
            // A step deleting a row the sync read live wins over the sync's stale upsert.
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(13), upserts: [.init(resource: row("a", at(13)), wasDeleted: false, presenceStart: at(13))]),
                runID: run.id, leaseUntil: at(1000), now: at(13))
            #expect(try await store.resource(kind: "droplet", providerID: "a")?.deletedAt == at(9.5))
            // A row the sync read absent, registered and destroyed by steps meanwhile: not brought back.
            try await store.upsertResource(row("b", at(13)))
            try await store.markResourceDeleted(kind: "droplet", providerID: "b", at: at(13.5))
            _ = try await store.applySyncBatch(
                SyncBatch(kind: "droplet", seenAt: at(14), upserts: [.init(resource: row("b", at(14)), wasDeleted: nil, presenceStart: at(12))]),
                runID: run.id, leaseUntil: at(1000), now: at(14))
            #expect(try await store.resource(kind: "droplet", providerID: "b")?.deletedAt == at(13.5))
            // A row a step wrote after the listing began is not counted missing, nor deleted.
            try await store.upsertResource(row("c", at(15)))
            var late = SyncBatch(kind: "droplet", seenAt: at(15.5), deleted: ["c"])
            late.listingStartedAt = at(14.9)
            _ = try await store.applySyncBatch(late, runID: run.id, leaseUntil: at(1000), now: at(15.5))
            #expect(try await store.resource(kind: "droplet", providerID: "c")?.deletedAt == nil)
            // A step registering a deleted row again never opens an interval overlapping the closed one.
            var back = row("a", at(16))
            back.firstSeenAt = t0
            try await store.upsertResource(back)
            intervals = try await store.presence(kind: "droplet", providerID: "a", from: .distantPast, to: .distantFuture)
            #expect(intervals.count == 2 && intervals[1].startedAt >= at(9.5) && intervals[1].endedAt == nil)
        }
    }

    @Test(
        "an out-of-band change, delete and leak show up as drift; reconcile destroys the orphan, re-creates the missing droplet, adopts the change",
        arguments: Backend.enabled)
    func driftAndReconcile(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            _ = try await cloud.client.createDomain(name: "drift.example")
            let sync = try cloud.inventorySync()
            let store = cloud.store
            let simulator = cloud.simulator.simulator
            // The reconcile sagas run with no minimum orphan age (the harness's configuration).
            func drift(orphanMinimumAge: TimeInterval = 0) async throws -> DriftReport {
                try await DriftDetector(store: store, now: simulator.now, orphanMinimumAge: orphanMinimumAge).report()
            }
            var ids: [Int] = []
            for name in ["keep", "change", "vanish"] {
                let detail = try await cloud.run("provision-droplet", CloudStepsTests.provisionInputs("drift-\(name)", deployment: "d1"))
                #expect(detail.saga.status == .completed, "\(detail.saga.error ?? "")")
                ids.append(try #require(detail.saga.context["droplet_id"]?.intValue))
            }
            // DNS desired state, written with a trailing dot and capitals: compared normalised.
            let dns = try await cloud.run(
                "upsert-dns",
                [
                    "dns_domain": "drift.example", "dns_record_type": "CNAME", "dns_record_name": "www", "dns_record_data": "Target.Example.COM.",
                    "deployment_id": "d1",
                ])
            #expect(dns.saga.status == .completed, "\(dns.saga.error ?? "")")
            let txt = try await cloud.run(
                "upsert-dns",
                ["dns_domain": "drift.example", "dns_record_type": "TXT", "dns_record_name": "t", "dns_record_data": "v=1", "deployment_id": "d1"])
            #expect(txt.saga.status == .completed)
            try await Self.settle(cloud)
            _ = try await sync.syncNow()
            var report = try await drift()
            #expect(report.missing.isEmpty && report.changed.isEmpty && report.orphaned.isEmpty, "\(report)")
            #expect(report.inSync == 5 && report.unverified == 0)

            // Out of band: a tag added, a droplet deleted, a managed droplet leaked, a record's data changed.
            _ = try await cloud.client.createTag(name: "hand-made")
            try await cloud.client.tagResources(tag: "hand-made", [TagResource(resourceID: String(ids[1]), resourceType: "droplet")])
            try await cloud.client.deleteDroplet(id: ids[2])
            let leak = try await cloud.makeDroplet("drift-leak", tags: [CloudTags.managed, "arcadia-saga-0badf00d"])
            let record = try #require(
                try await cloud.client.domainRecords(domain: "drift.example", type: "TXT").collect().first { $0.name == "t" })
            _ = try await cloud.client.updateDomainRecord(
                domain: "drift.example", id: try #require(record.id), DomainRecordRequest(type: "TXT", name: "t", data: "v=2", ttl: 1800))
            // Past the read-after-create window: a 404 now means deleted.
            try await Self.advance(cloud, seconds: 400)
            _ = try await sync.syncNow()
            report = try await drift()
            #expect(report.missing.map(\.providerID) == [String(ids[2])])
            #expect(Set(report.changed.map(\.providerID)) == [String(ids[1]), "drift.example/TXT/t"])
            let tagChange = try #require(report.changed.first { $0.providerID == String(ids[1]) }?.changes.first)
            #expect(tagChange.field == "tags" && tagChange.actual.contains("hand-made") && !tagChange.desired.contains("hand-made"))
            let dataChange = try #require(report.changed.first { $0.kind == "domain_record" }?.changes.first)
            #expect(dataChange.field == "data" && dataChange.desired == "v=1" && dataChange.actual == "v=2")
            #expect(report.orphaned.map(\.providerID) == [String(leak.id)] && report.orphaned.first?.saga == "0badf00d")
            #expect(report.inSync == 2)
            // With the default minimum age, a managed droplet this young may still be provisioning:
            // not judged an orphan yet.
            let young = try await drift(orphanMinimumAge: 1800)
            #expect(young.orphaned.isEmpty && young.unverified == 1)

            // A reconcile action that does not fit its item is refused.
            let wrong = try await cloud.run("reconcile", ["kind": "droplet", "provider_id": .string(String(leak.id)), "action": "adopt"])
            #expect(wrong.saga.status != .completed && (wrong.saga.error ?? "").contains("orphaned"))
            #expect(try await cloud.live().droplets.contains { ($0["id"] as? Int) == leak.id })

            // An inventory that wrongly holds a droplet deleted: recreate asks DigitalOcean first.
            try await cloud.store.markResourceDeleted(kind: "droplet", providerID: String(ids[0]), at: simulator.now)
            let duplicate = try await cloud.run(
                "reconcile", ["kind": "droplet", "provider_id": .string(String(ids[0])), "action": "recreate", "deployment_id": "d1"])
            #expect(duplicate.saga.status != .completed && (duplicate.saga.error ?? "").contains("still exists"))
            try await cloud.store.upsertResource(
                .droplet(try await cloud.client.droplet(id: ids[0]), sagaID: nil, deploymentID: "d1", seenAt: simulator.now))

            let destroy = try await cloud.run("reconcile", ["kind": "droplet", "provider_id": .string(String(leak.id)), "action": "destroy"])
            #expect(destroy.saga.status == .completed, "\(destroy.saga.error ?? "")")
            // A deployment's droplet is re-created only under the deployment's lock.
            let unlocked = try await cloud.run("reconcile", ["kind": "droplet", "provider_id": .string(String(ids[2])), "action": "recreate"])
            #expect(unlocked.saga.status != .completed && (unlocked.saga.error ?? "").contains("deployment_id=d1"))
            let recreate = try await cloud.run(
                "reconcile", ["kind": "droplet", "provider_id": .string(String(ids[2])), "action": "recreate", "deployment_id": "d1"])
            #expect(recreate.saga.status == .completed, "\(recreate.saga.error ?? "")")
            #expect(Set(recreate.saga.lockKeys) == ["droplet:\(ids[2])", "deployment:d1"])
            let replacement = try #require(recreate.saga.context["droplet_id"]?.intValue)
            let adopt = try await cloud.run("reconcile", ["kind": "droplet", "provider_id": .string(String(ids[1])), "action": "adopt"])
            #expect(adopt.saga.status == .completed, "\(adopt.saga.error ?? "")")
            let adoptRecord = try await cloud.run("reconcile", ["kind": "domain_record", "provider_id": "drift.example/TXT/t", "action": "adopt"])
            #expect(adoptRecord.saga.status == .completed, "\(adoptRecord.saga.error ?? "")")

            let live = try await cloud.live().droplets.compactMap { $0["id"] as? Int }
            #expect(Set(live) == [ids[0], ids[1], replacement])
            let desired = try #require(try await cloud.store.provisioned(kind: "droplet", providerID: String(ids[1])))
            #expect(desired.specVersion == 2 && desired.spec["tags"]?.arrayValue?.contains("hand-made") == true)
            let newSpec = try #require(try await cloud.store.provisioned(kind: "droplet", providerID: String(replacement)))
            #expect(newSpec.spec["name"] == "drift-vanish" && newSpec.spec["size_slug"] == "s-1vcpu-512mb-10gb" && newSpec.deploymentID == "d1")
            try await Self.settle(cloud)
            _ = try await sync.syncNow()
            report = try await drift()
            #expect(report.missing.isEmpty && report.changed.isEmpty && report.orphaned.isEmpty, "\(report)")
            #expect(report.inSync == 5)
        }
    }

    @Test("two workers on PostgreSQL, each with its own pool and schedule, never run two syncs at once")
    func twoWorkersOnPostgres() async throws {
        guard Backend.enabled.contains(.postgres) else { return }
        try await CloudHarness.with(.postgres, startWorker: false) { cloud in
            for index in 0..<3 { _ = try await cloud.makeDroplet("pair-\(index)") }
            try await Self.settle(cloud)
            let url = try DatabaseURL.parse(cloud.databaseURL)
            let configuration = InventorySyncConfiguration(interval: .milliseconds(200))
            // Fulfilled once the schedules have run four syncs between them.
            let scheduled = Mutex(0)
            let enough = OneShot<Void>()
            let counted: @Sendable (SyncRun) -> Void = { run in
                guard run.status == .succeeded else { return }
                if scheduled.withLock({ count in
                    count += 1
                    return count == 4
                }) {
                    enough.fulfil(())
                }
            }
            try await StoreFactory.withStore(url, migrate: false, logger: TestDatabase.logger) { other in
                let schedulers = [
                    InventoryScheduler(
                        sync: try cloud.inventorySync(configuration, holder: "worker-a"), checkEvery: .milliseconds(20), onRun: counted),
                    InventoryScheduler(
                        sync: try InventorySync(
                            client: cloud.services.inventory!, store: other, configuration: configuration, holder: "worker-b",
                            clock: { cloud.simulator.simulator.now }, logger: TestDatabase.logger),
                        checkEvery: .milliseconds(20), onRun: counted),
                ]
                // Both also try on demand, all the time.
                let refused = try await withThrowingTaskGroup(of: Int.self) { group in
                    for scheduler in schedulers {
                        group.addTask {
                            try await scheduler.run(); return 0
                        }
                    }
                    for sync in [try cloud.inventorySync(configuration, holder: "cli-a"), schedulers[1].sync] {
                        group.addTask {
                            var refused = 0
                            for _ in 0..<15 {
                                do { _ = try await sync.syncNow() } catch let error as InventoryError where error.code == .syncRunning {
                                    refused += 1
                                }
                            }
                            return refused
                        }
                    }
                    var refused = 0
                    for _ in 0..<2 { refused += try await group.next() ?? 0 }
                    // Let the schedules run until they have run enough syncs, then stop them.
                    await enough.value(orOnCancel: ())
                    group.cancelAll()
                    return refused
                }
                let runs = try await cloud.store.syncRuns(limit: 200).sorted { $0.startedAt < $1.startedAt }
                // Every run finished (the one cancelled with its scheduler released the lease as failed).
                #expect(runs.allSatisfy { $0.status == .succeeded || ($0.status == .failed && $0.errors.contains { $0.message == "cancelled" }) })
                for (earlier, later) in zip(runs, runs.dropFirst()) {
                    #expect(try #require(earlier.finishedAt) <= later.startedAt, "\(earlier.holder) and \(later.holder) overlapped")
                }
                #expect(runs.count + refused >= 30)
            }
        }
    }

    @Test("arcadia inventory sync / list / drift --json print the documented keys; bad flags and a missing token are named")
    func cli() async throws {
        try await CloudHarness.with(.sqlite, startWorker: false) { cloud in
            _ = try await cloud.makeDroplet("cli-1", tags: [CloudTags.managed])
            try await Self.settle(cloud)
            let environment = ["ARCADIA_DO_API_URL": cloud.simulator.baseURL, "ARCADIA_DO_TOKEN_INVENTORY": CloudHarness.inventoryToken]
            let synced = try await ChildProcess.run(
                ["inventory", "sync", "--database", cloud.databaseURL, "--json"], environment: environment)
            #expect(synced.status == 0, "\(synced.stderr)")
            let run = try JSONDecoder().decode([String: JSONValue].self, from: Data(synced.stdout.utf8))
            #expect(run["status"] == "succeeded" && (run["added"]?.intValue ?? 0) >= 1 && (run["requests"]?.intValue ?? 0) > 0)
            let droplet = try #require(run["kinds"]?.objectValue?["droplet"]?.objectValue)
            #expect(droplet["added"] == 1)
            for key in ["added", "changed", "unchanged", "deleted"] { #expect(droplet[key] != nil, "\(key) missing") }
            #expect(!synced.stdout.contains(CloudHarness.inventoryToken) && !synced.stderr.contains(CloudHarness.inventoryToken))

            let listed = try await ChildProcess.run(["inventory", "list", "--kind", "droplet", "--database", cloud.databaseURL, "--json"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let rows = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(listed.stdout.utf8))
            #expect(rows.count == 1 && rows[0]["name"] == "cli-1" && rows[0]["managed"] == true && rows[0]["status"] == "active")
            #expect(rows[0]["provider_id"]?.stringValue != nil && rows[0]["kind"] == "droplet")

            // Too young to call an orphan by default (its saga may still be provisioning it).
            let young = try await ChildProcess.run(["drift", "--database", cloud.databaseURL, "--json", "--detailed-exit-code"])
            #expect(young.status == 0, "\(young.stderr)")
            let youngReport = try JSONDecoder().decode([String: JSONValue].self, from: Data(young.stdout.utf8))
            #expect(youngReport["orphaned"] == .array([]) && youngReport["unverified"] == 1)
            let drift = try await ChildProcess.run(["drift", "--database", cloud.databaseURL, "--json", "--orphan-minimum-age-seconds", "0"])
            #expect(drift.status == 0, "\(drift.stderr)")
            let report = try JSONDecoder().decode([String: JSONValue].self, from: Data(drift.stdout.utf8))
            #expect(report["orphaned"]?.arrayValue?.count == 1 && report["missing"] == .array([]) && report["changed"] == .array([]))
            #expect(report["in_sync"] == 0)
            let detailed = try await ChildProcess.run(
                ["drift", "--database", cloud.databaseURL, "--detailed-exit-code", "--orphan-minimum-age-seconds", "0"])
            #expect(detailed.status == 4 && detailed.stdout.contains("ORPHANED"))

            let noToken = try await ChildProcess.run(
                ["inventory", "sync", "--database", cloud.databaseURL], environment: ["ARCADIA_DO_TOKEN_INVENTORY": ""])
            #expect(noToken.status != 0 && noToken.stderr.contains("ARCADIA_DO_TOKEN_INVENTORY"))
            let badKind = try await ChildProcess.run(["inventory", "list", "--kind", "droplets", "--database", cloud.databaseURL])
            #expect(badKind.status != 0 && badKind.stderr.contains("unknown kind 'droplets'") && badKind.stderr.contains("droplet,"))
        }
    }

    @Test("arcadia bench sync prints full_sync_s, nochange_sync_s, requests and resources")
    func benchSmoke() async throws {
        let result = try await ChildProcess.run(["bench", "sync", "--droplets", "450", "--records", "900", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try JSONDecoder().decode([String: JSONValue].self, from: Data(result.stdout.utf8))
        for key in ["full_sync_s", "nochange_sync_s"] { #expect(figures[key]?.doubleValue != nil, "\(key) missing") }
        // 450 droplets and 900 records, 200 a page: 3 + 5 pages, plus one page per other kind, twice.
        #expect((figures["resources"]?.intValue ?? 0) >= 1350)
        #expect((figures["requests"]?.intValue ?? 0) > 0)
    }

    @Test("two arcadia worker processes on PostgreSQL with a sync schedule: one scheduled sync, not two; SIGTERM stops both")
    func workerProcessesSchedule() async throws {
        guard Backend.enabled.contains(.postgres) else { return }
        try await CloudHarness.with(.postgres, startWorker: false) { cloud in
            _ = try await cloud.makeDroplet("scheduled-1")
            try await Self.settle(cloud)
            let environment = [
                "ARCADIA_DO_API_URL": cloud.simulator.baseURL, "ARCADIA_DO_TOKEN_INVENTORY": CloudHarness.inventoryToken,
                "ARCADIA_DATABASE_URL": cloud.databaseURL,
            ]
            let workers = try (0..<2).map { _ in
                try ChildProcess(["worker", "--concurrency", "2", "--sync-interval-seconds", "60"], environment: environment)
            }
            defer { for worker in workers { worker.kill() } }
            for worker in workers { try await worker.waitForLine(containing: "inventory sync scheduled") }
            // Both look at once; one starts the sync, the other finds it running or done.
            let done = try await withThrowingTaskGroup(of: String.self) { group in
                for worker in workers {
                    group.addTask { try await worker.waitForLine(containing: "scheduled inventory sync done", timeout: .seconds(60)) }
                }
                defer { group.cancelAll() }
                return try await group.next() ?? ""
            }
            #expect(done.contains("succeeded"))
            // Each worker looks again (every 6 s) and starts nothing: the interval is a minute.
            for worker in workers { try await worker.waitForLine(containing: "inventory sync not started") }
            let runs = try await cloud.store.syncRuns(limit: 10)
            #expect(runs.count == 1 && runs.first?.trigger == "scheduled" && runs.first?.status == .succeeded, "\(runs)")
            #expect(try await cloud.store.resources(kind: "droplet", includeDeleted: false).map(\.name) == ["scheduled-1"])
            for worker in workers { worker.kill(SIGTERM) }
            for worker in workers { #expect(try await worker.waitForExit() == 0) }
        }
    }
}
