import DigitalOcean
import FakeDigitalOcean
import Foundation
import NIOHTTP1
import Testing

/// The kinds an inventory sync lists beyond droplets, domains and volumes: each is created in the
/// simulator, listed through the client over several pages, read, deleted and then 404; plus the
/// GPU droplet listing rule, droplet backups, money lines without ids and a walk done once.
@Suite struct InventoryKindsTests {
    /// A client reading two items per page, so that three objects take two pages and a confirming walk.
    static func smallPages(_ sim: SimulatorHarness) -> DigitalOceanClient {
        DigitalOceanClient(
            configuration: .init(
                token: APIToken(SimulatorHarness.writeToken, purpose: .provisioning), baseURL: sim.server.baseURL,
                retry: .init(baseDelay: .milliseconds(5)), pageSize: 2, burstLimit: (1_000_000, .seconds(60))))
    }

    /// A raw create that must succeed; returns the object under `key`.
    static func create(_ sim: SimulatorHarness, _ path: String, _ body: String, key: String) async throws -> [String: Any] {
        let response = try await sim.raw(.POST, path, body: body)
        let text = String(decoding: response.body, as: UTF8.self)
        guard (200..<300).contains(response.status) else { throw HarnessError(message: "POST \(path) answered \(response.status): \(text)") }
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return try #require(json?[key] as? [String: Any], "POST \(path) answers under \(key): \(text)")
    }

    /// A raw delete that must succeed.
    static func delete(_ sim: SimulatorHarness, _ path: String) async throws {
        let status = try await sim.raw(.DELETE, path).status
        #expect(status == 204 || status == 200, "DELETE \(path) answered \(status)")
    }

    /// Expects a read to fail with a 404.
    static func expectNotFound<T: Sendable>(_ what: String, _ read: () async throws -> T) async {
        do {
            _ = try await read()
            Issue.record("\(what) was still there")
        } catch let error as DigitalOceanError {
            #expect(error.isNotFound, "\(what): \(error)")
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    /// Three objects through raw creates, listed by `list` (all pages), read by `get`, one deleted
    /// and then missing from both.
    static func roundTrip<Item: Identifiable & Sendable>(
        _ sim: SimulatorHarness, path: String, key: String, bodies: [String], idKey: String = "id",
        list: () async throws -> [Item], get: (String) async throws -> Item
    ) async throws where Item.ID: Sendable {
        var ids: [String] = []
        for body in bodies {
            let object = try await create(sim, path, body, key: key)
            ids.append((object[idKey] as? String) ?? (object[idKey] as? Int).map(String.init) ?? "?")
        }
        let listed = try await list()
        #expect(listed.map { "\($0.id)" }.sorted() == ids.sorted(), "\(path) lists every object once")
        for id in ids { #expect("\(try await get(id).id)" == id, "\(path)/\(id) reads back") }
        try await delete(sim, "\(path)/\(ids[0])")
        await expectNotFound("\(path)/\(ids[0])") { try await get(ids[0]) }
        #expect(try await list().map { "\($0.id)" }.sorted() == Array(ids.dropFirst()).sorted(), "\(path) no longer lists the deleted one")
    }

    @Test("load balancers, database and Kubernetes clusters, VPCs, SSH keys, certificates, CDN endpoints and apps go round")
    func everyKindGoesRound() async throws {
        try await withSimulator { sim in
            let client = Self.smallPages(sim)
            let droplet = try await client.createDroplet(SimulatorHarness.dropletRequest("target", tags: ["web"])).droplet
            let rules = #""forwarding_rules":[{"entry_protocol":"https","entry_port":443,"target_protocol":"http","target_port":8080}]"#
            try await Self.roundTrip(
                sim, path: "/v2/load_balancers", key: "load_balancer",
                bodies: [
                    #"{"name":"lb-1","region":"nyc3",\#(rules),"droplet_ids":[\#(droplet.id)]}"#,
                    #"{"name":"lb-2","region":"nyc3",\#(rules),"tag":"WEB"}"#,
                    #"{"region":"ams3",\#(rules)}"#,
                ], list: { try await client.loadBalancers().collect() }, get: { try await client.loadBalancer(id: $0) })
            let balancers = try await client.loadBalancers().collect()
            let byTag = try #require(balancers.first { $0.name == "lb-2" })
            #expect(byTag.tag == "web" && byTag.dropletIDs == [droplet.id], "the tag is canonical and its droplets are the targets")
            #expect(byTag.region == "nyc3" && byTag.status == "active" && byTag.forwardingRules.first?.entryPort == 443)

            try await Self.roundTrip(
                sim, path: "/v2/databases", key: "database",
                bodies: ["pg", "mysql", "valkey"].map {
                    #"{"name":"db-\#($0)","engine":"\#($0)","num_nodes":1,"size":"db-s-1vcpu-1gb","region":"nyc3","tags":["Data"]}"#
                }, list: { try await client.databaseClusters().collect() }, get: { try await client.databaseCluster(id: $0) })
            let databases = try await client.databaseClusters(tagName: "data").collect()
            #expect(databases.count == 2 && databases.allSatisfy { $0.status == "online" && $0.region == "nyc3" && $0.tags == ["Data"] })

            let pools = #""node_pools":[{"name":"workers","size":"s-2vcpu-4gb","count":3},{"name":"jobs","size":"s-1vcpu-2gb","count":1}]"#
            try await Self.roundTrip(
                sim, path: "/v2/kubernetes/clusters", key: "kubernetes_cluster",
                bodies: (1...3).map { #"{"name":"k8s-\#($0)","region":"fra1","version":"latest",\#(pools)}"# },
                list: { try await client.kubernetesClusters().collect() }, get: { try await client.kubernetesCluster(id: $0) })
            let cluster = try #require(try await client.kubernetesClusters().collect().first)
            #expect(cluster.status?.state == "running" && cluster.region == "fra1" && cluster.tags.contains("k8s:\(cluster.id)"))
            #expect(cluster.nodePools.map(\.count) == [3, 1] && cluster.nodePools[0].nodes.count == 3)
            let nodePools = try await client.kubernetesNodePools(clusterID: cluster.id).collect()
            #expect(nodePools.map(\.id) == cluster.nodePools.map(\.id))
            #expect(try await client.kubernetesNodePool(clusterID: cluster.id, id: nodePools[1].id).name == "jobs")
            await Self.expectNotFound("an unknown node pool") { try await client.kubernetesNodePool(clusterID: cluster.id, id: "nope") }

            try await Self.roundTrip(
                sim, path: "/v2/vpcs", key: "vpc", bodies: (1...3).map { #"{"name":"vpc-\#($0)","region":"nyc3"}"# },
                list: { try await client.vpcs().collect() }, get: { try await client.vpc(id: $0) })
            let vpc = try #require(try await client.vpcs().collect().first)
            #expect(vpc.urn == "do:vpc:\(vpc.id)" && vpc.isDefault == false && vpc.ipRange?.hasSuffix("/20") == true)

            let keys = ["AAAAC3NzaC1lZDI1NTE5AAAAIfirst", "AAAAC3NzaC1lZDI1NTE5AAAAIsecond", "AAAAC3NzaC1lZDI1NTE5AAAAIthird"]
            try await Self.roundTrip(
                sim, path: "/v2/account/keys", key: "ssh_key",
                bodies: keys.enumerated().map { #"{"name":"key-\#($0.offset)","public_key":"ssh-ed25519 \#($0.element) me@example"}"# },
                list: { try await client.sshKeys().collect() }, get: { try await client.sshKey(id: Int($0) ?? -1) })
            let key = try #require(try await client.sshKeys().collect().first)
            let fingerprint = try #require(key.fingerprint)
            #expect(try await client.sshKey(fingerprint: fingerprint).id == key.id)

            let pem =
                #""private_key":"-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----","leaf_certificate":"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----""#
            _ = try await client.createDomain(name: "shop.test")
            try await Self.roundTrip(
                sim, path: "/v2/certificates", key: "certificate",
                bodies: [
                    #"{"name":"cert-1",\#(pem)}"#, #"{"name":"cert-2","type":"lets_encrypt","dns_names":["shop.test","www.shop.test"]}"#,
                    #"{"name":"cert-3",\#(pem)}"#,
                ], list: { try await client.certificates().collect() }, get: { try await client.certificate(id: $0) })
            let issued = try #require(try await client.certificates(name: "cert-2").collect().first)
            #expect(issued.type == "lets_encrypt" && issued.state == "verified" && issued.dnsNames == ["shop.test", "www.shop.test"])

            try await Self.roundTrip(
                sim, path: "/v2/cdn/endpoints", key: "endpoint",
                bodies: (1...3).map { #"{"origin":"assets-\#($0).nyc3.digitaloceanspaces.com"}"# },
                list: { try await client.cdnEndpoints().collect() }, get: { try await client.cdnEndpoint(id: $0) })
            let endpoint = try #require(try await client.cdnEndpoints().collect().first)
            #expect(endpoint.endpoint == "assets-2.nyc3.cdn.digitaloceanspaces.com" && endpoint.ttl == 3600)

            try await Self.roundTrip(
                sim, path: "/v2/apps", key: "app", bodies: (1...3).map { #"{"spec":{"name":"app-\#($0)","region":"ams"}}"# },
                list: { try await client.apps().collect() }, get: { try await client.app(id: $0) })
            let app = try #require(try await client.apps().collect().first)
            #expect(app.spec?.name == "app-2" && app.region == "ams" && app.activeDeployment?.phase == "ACTIVE" && app.liveURL != nil)
        }
    }

    @Test("projects: a default one, creates, resources assigned by URN and moved, and only empty projects deleted")
    func projectsAndResources() async throws {
        try await withSimulator { sim in
            let client = Self.smallPages(sim)
            let standard = try await client.defaultProject()
            #expect(standard.isDefault == true)
            try await Self.roundTrip(
                sim, path: "/v2/projects", key: "project",
                bodies: (1...3).map { #"{"name":"project-\#($0)","purpose":"Service or API","environment":"Production"}"# },
                list: { try await client.projects().collect().filter { $0.isDefault != true } }, get: { try await client.project(id: $0) })
            let project = try #require(try await client.projects().collect().first { $0.name == "project-2" })
            #expect(project.environment == "Production" && project.purpose == "Service or API")

            let droplets = [
                try await client.createDroplet(SimulatorHarness.dropletRequest("p-1")).droplet.id,
                try await client.createDroplet(SimulatorHarness.dropletRequest("p-2")).droplet.id,
                try await client.createDroplet(SimulatorHarness.dropletRequest("p-3")).droplet.id,
            ]
            let urns = droplets.map { "\"do:droplet:\($0)\"" }.joined(separator: ",")
            let assigned = try await sim.raw(.POST, "/v2/projects/\(project.id)/resources", body: #"{"resources":[\#(urns),"do:droplet:1"]}"#)
            #expect(assigned.status == 200)
            let answer = try JSONSerialization.jsonObject(with: assigned.body) as? [String: Any]
            #expect((answer?["resources"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["ok", "ok", "ok", "not_found"])
            let resources = try await client.projectResources(projectID: project.id).collect()
            #expect(resources.map(\.id).sorted() == droplets.map { "do:droplet:\($0)" }.sorted())
            #expect(resources.allSatisfy { $0.resourceType == "droplet" && $0.status == "ok" })

            let busy = try await sim.raw(.DELETE, "/v2/projects/\(project.id)")
            #expect(busy.status == 412, "a project with resources is not deleted")
            #expect(try await sim.raw(.DELETE, "/v2/projects/\(standard.id)").status == 422, "the default project is never deleted")

            // Moving one to the default project; deleting another takes it off the listing.
            _ = try await sim.raw(.POST, "/v2/projects/default/resources", body: #"{"resources":["do:droplet:\#(droplets[0])"]}"#)
            #expect(try await client.projectResources(projectID: "default").collect().map(\.resourceID) == [String(droplets[0])])
            try await client.deleteDroplet(id: droplets[1])
            #expect(try await client.projectResources(projectID: project.id).collect().map(\.resourceID) == [String(droplets[2])])
            _ = try await sim.raw(.POST, "/v2/projects/default/resources", body: #"{"resources":["do:droplet:\#(droplets[2])"]}"#)
            try await Self.delete(sim, "/v2/projects/\(project.id)")
        }
    }

    @Test("the registry is a singleton: nil before it is created and after it is deleted")
    func registrySingleton() async throws {
        try await withSimulator { sim in
            let client = sim.client(.inventory)
            #expect(try await client.registry() == nil)
            _ = try await Self.create(sim, "/v2/registry", #"{"name":"acme","subscription_tier_slug":"basic"}"#, key: "registry")
            let registry = try #require(try await client.registry())
            #expect(registry.name == "acme" && registry.region == "nyc3" && registry.subscription?.tier?.slug == "basic")
            let second = try await sim.raw(.POST, "/v2/registry", body: #"{"name":"other","subscription_tier_slug":"basic"}"#)
            #expect(second.status == 422)
            try await Self.delete(sim, "/v2/registry")
            #expect(try await client.registry() == nil)
            #expect(try await sim.raw(.DELETE, "/v2/registry").status == 404)
        }
    }

    @Test("creates missing a required field get a 422 (400 for a body that is not JSON), and tags are canonical")
    func createValidation() async throws {
        try await withSimulator { sim in
            let cases: [(String, String)] = [
                ("/v2/load_balancers", #"{"region":"nyc3"}"#),
                ("/v2/load_balancers", #"{"region":"nyc3","forwarding_rules":[{"entry_protocol":"ftp"}]}"#),
                ("/v2/databases", #"{"name":"x","engine":"pg","size":"db-s-1vcpu-1gb","region":"nyc3"}"#),
                ("/v2/databases", #"{"name":"x","engine":"oracle","num_nodes":1,"size":"db-s-1vcpu-1gb","region":"nyc3"}"#),
                ("/v2/kubernetes/clusters", #"{"name":"x","region":"nyc3","version":"latest","node_pools":[]}"#),
                (
                    "/v2/kubernetes/clusters",
                    #"{"name":"x","region":"nyc3","version":"0.1","node_pools":[{"name":"a","size":"s-1vcpu-2gb","count":1}]}"#
                ),
                ("/v2/vpcs", #"{"name":"x"}"#), ("/v2/vpcs", #"{"name":"x","region":"nyc3","ip_range":"10.0.0.0"}"#),
                ("/v2/projects", #"{"name":"x"}"#),
                ("/v2/account/keys", #"{"name":"x","public_key":"not a key"}"#),
                ("/v2/certificates", #"{"name":"x","type":"lets_encrypt","dns_names":["a.b"]}"#),
                ("/v2/cdn/endpoints", #"{"origin":"example.com"}"#), ("/v2/apps", #"{"spec":{"name":"Bad Name"}}"#),
                ("/v2/registry", #"{"name":"x"}"#),
            ]
            for (path, body) in cases {
                let response = try await sim.raw(.POST, path, body: body)
                let error = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                #expect(response.status == 422 && error?["id"] as? String == "unprocessable_entity", "POST \(path) \(body) → \(response.status)")
            }
            #expect(try await sim.raw(.POST, "/v2/vpcs", body: "{").status == 400)
            _ = try await sim.client().createTag(name: "Team:Blue")
            let database = try await Self.create(
                sim, "/v2/databases",
                #"{"name":"db","engine":"pg","num_nodes":1,"size":"db-s-1vcpu-1gb","region":"nyc3","tags":["team:BLUE","new"]}"#,
                key: "database")
            #expect(database["tags"] as? [String] == ["Team:Blue", "new"])
            #expect(try await sim.client().tag(name: "Team:Blue").resources?.count == 1)
            try await sim.client().deleteTag(name: "Team:Blue")
            let id = try #require(database["id"] as? String)
            #expect(try await sim.client().databaseCluster(id: id).tags == ["new"], "a deleted tag comes off")
        }
    }

    @Test("eventually consistent kinds lag like droplets: missing from listings at first, lingering after a delete")
    func listingLags() async throws {
        try await withSimulator { sim in
            try await sim.setLags(#"{"list_visibility": 4, "get_not_found": 2, "delete_linger": 5, "droplet_create": 30}"#)
            let client = sim.client(.inventory)
            let rules = #""forwarding_rules":[{"entry_protocol":"http","entry_port":80,"target_protocol":"http","target_port":80}]"#
            let created = try await Self.create(sim, "/v2/load_balancers", #"{"name":"lagged","region":"nyc3",\#(rules)}"#, key: "load_balancer")
            let id = try #require(created["id"] as? String)
            #expect(created["status"] as? String == "new")
            #expect(try await client.loadBalancers().collect().isEmpty)
            await Self.expectNotFound("a load balancer just made") { try await client.loadBalancer(id: id) }
            try await sim.advance(seconds: 4)
            #expect(try await client.loadBalancers().collect().map(\.id) == [id])
            #expect(try await client.loadBalancer(id: id).status == "new")
            try await sim.advance(seconds: 30)
            #expect(try await client.loadBalancer(id: id).status == "active")
            try await Self.delete(sim, "/v2/load_balancers/\(id)")
            await Self.expectNotFound("a deleted load balancer") { try await client.loadBalancer(id: id) }
            #expect(try await client.loadBalancers().collect().map(\.id) == [id], "a deleted load balancer lingers in the listing")
            try await sim.advance(seconds: 5)
            #expect(try await client.loadBalancers().collect().isEmpty)

            // VPCs are read at once.
            let vpc = try await Self.create(sim, "/v2/vpcs", #"{"name":"now","region":"nyc3"}"#, key: "vpc")
            #expect(try await client.vpcs().collect().map(\.id) == [try #require(vpc["id"] as? String)])
        }
    }

    @Test("GPU droplets are listed only with type=gpus; a tag lists both")
    func gpuDropletsListing() async throws {
        try await withSimulator { sim in
            let client = Self.smallPages(sim)
            var regular: [Int] = []
            for index in 0..<3 {
                regular.append(try await client.createDroplet(SimulatorHarness.dropletRequest("cpu-\(index)", tags: ["fleet"])).droplet.id)
            }
            let gpu = try await client.createDroplet(
                DropletCreateRequest(name: "gpu-1", region: "tor1", size: "gpu-h100x1-80gb", image: "ubuntu-22-04-x64", tags: ["fleet"])
            ).droplet.id
            #expect(try await client.droplets().collect().map(\.id) == regular)
            #expect(try await client.droplets(type: "droplets").collect().map(\.id) == regular)
            #expect(try await client.droplets(type: "gpus").collect().map(\.id) == [gpu])
            #expect(try await client.droplets(tagName: "fleet").collect().map(\.id) == regular + [gpu])
            #expect(try await client.droplets(name: "gpu-1", type: "gpus").collect().map(\.id) == [gpu])
            let sizes = try await client.sizes().collect()
            #expect(sizes.first { $0.slug == "gpu-h100x1-80gb" }?.priceHourly == Decimal(string: "3.39"))
        }
    }

    @Test("a droplet created with backups gets a backup, listed after the listing lag, also as a private image; it goes with the droplet")
    func dropletBackups() async throws {
        try await withSimulator { sim in
            try await sim.setLags(#"{"list_visibility": 4}"#)
            let client = sim.client()
            var request = SimulatorHarness.dropletRequest("backed")
            request.backups = true
            let droplet = try await client.createDroplet(request).droplet
            let plain = try await client.createDroplet(SimulatorHarness.dropletRequest("plain")).droplet
            #expect(try await client.dropletBackups(dropletID: droplet.id).collect().isEmpty)
            try await sim.advance(seconds: 4)
            let backups = try await client.dropletBackups(dropletID: droplet.id).collect()
            #expect(backups.count == 1 && backups[0].type == "backup" && backups[0].regions == ["nyc3"])
            #expect(try await client.droplet(id: droplet.id).backupIDs == backups.map(\.id))
            #expect(try await client.dropletBackups(dropletID: plain.id).collect().isEmpty)
            let extra = try #require(sim.server.simulator.addBackup(dropletID: plain.id))
            try await sim.advance(seconds: 4)
            #expect(try await client.dropletBackups(dropletID: plain.id).collect().map(\.id) == [extra])
            let images = try await client.images(isPrivate: true).collect()
            #expect(images.filter { $0.type == "backup" }.map(\.id).sorted() == [backups[0].id, extra].sorted())
            #expect(try await client.image(id: extra).type == "backup")

            try await client.deleteDroplet(id: droplet.id)
            await Self.expectNotFound("a deleted droplet's backups") { try await client.dropletBackups(dropletID: droplet.id).collect() }
            #expect(try await client.images(isPrivate: true).collect().map(\.id) == [extra])
        }
    }

    @Test("two identical invoice lines over several pages both come through, once each")
    func identicalInvoiceItemsAreNotMerged() async throws {
        try await withSimulator { sim in
            func line(_ description: String) -> JSON {
                .object([
                    ("product", .string("Droplets")), ("resource_uuid", .string("711157cb-37c8-4817-b371-44fa3504a39c")),
                    ("resource_id", .string("2353624")), ("group_description", .string("")), ("description", .string(description)),
                    ("amount", .string("4.00")), ("duration", .string("744")), ("duration_unit", .string("Hours")),
                    ("start_time", .string("2026-11-01T00:00:00Z")), ("end_time", .string("2026-12-01T00:00:00Z")), ("project_name", .string("web")),
                ])
            }
            sim.server.simulator.addInvoiceItems([line("web-1"), line("web-1"), line("web-2"), line("db-1"), line("web-1")])
            let client = Self.smallPages(sim)
            var iterator = client.invoiceItems(invoiceUUID: "preview").makeAsyncIterator()
            var items: [InvoiceItem] = []
            while let item = try await iterator.next() { items.append(item) }
            #expect(items.map(\.description) == ["web-1", "web-1", "web-2", "db-1", "web-1"])
            #expect(items.allSatisfy { $0.id == nil && $0.amount == Decimal(string: "4.00") })
            #expect(iterator.passes == 2 && iterator.pages == 6, "the confirming walk yields no line again")
        }
    }

    @Test("walkingOnce reads each page once, and walks again only when meta.total moved")
    func walkingOnce() async throws {
        try await withSimulator { sim in
            let client = Self.smallPages(sim)
            for index in 0..<5 { _ = try await client.createDroplet(SimulatorHarness.dropletRequest("w-\(index)")) }
            var confirmed = client.droplets().makeAsyncIterator()
            while try await confirmed.next() != nil {}
            #expect(confirmed.passes == 2 && confirmed.pages == 6)

            let once = client.droplets().walkingOnce()
            #expect(once.maxPasses == 1 && client.droplets().maxPasses == PaginatedSequence<Droplet>.maxPasses)
            var quiet = once.makeAsyncIterator()
            var count = 0
            while try await quiet.next() != nil { count += 1 }
            #expect(count == 5 && quiet.passes == 1 && quiet.pages == 3)

            var moving = once.makeAsyncIterator()
            var seen: [Int] = []
            while let droplet = try await moving.next() {
                seen.append(droplet.id)
                if seen.count == 1 { _ = try await client.createDroplet(SimulatorHarness.dropletRequest("late")) }
            }
            #expect(Set(seen).count == 6 && seen.count == 6)
            #expect(moving.passes == 2, "the total moved, so the walk was done again")
        }
    }

    @Test("populate seeds ten thousand droplets and twenty thousand records without API calls, at once")
    func populateIsFast() async throws {
        try await withSimulator(settings: SimulatorSettings(lags: Lags(), rateLimits: .unlimited, dropletLimit: 50)) { sim in
            let start = ContinuousClock.now
            await sim.server.simulator.populate(droplets: 10_000, domain: "bench.test", records: 20_000, tag: "bench")
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(5), "populate took \(elapsed)")
            #expect(try await sim.requestCount() == 0)
            let droplets = try await sim.json("/v2/droplets?per_page=1")
            #expect((droplets["meta"] as? [String: Any])?["total"] as? Int == 10_000)
            let tagged = try await sim.json("/v2/droplets?per_page=1&tag_name=bench")
            #expect((tagged["meta"] as? [String: Any])?["total"] as? Int == 10_000)
            let records = try await sim.json("/v2/domains/bench.test/records?per_page=1&type=A")
            #expect((records["meta"] as? [String: Any])?["total"] as? Int == 20_000)
            let client = sim.client(.inventory)
            let first = try #require(try await client.droplets(tagName: "bench").walkingOnce().collect().first)
            #expect(first.status == "active" && first.sizeSlug == "s-1vcpu-1gb" && first.region.slug == "nyc3" && first.publicIPv4 != nil)
            let last = try await sim.json("/v2/domains/bench.test/records?per_page=200&page=100&type=A")
            let lastRecords = try #require(last["domain_records"] as? [[String: Any]])
            #expect(lastRecords.count == 200 && lastRecords.allSatisfy { $0["type"] as? String == "A" })
            var walk = client.domainRecords(domain: "bench.test", type: "A").walkingOnce().makeAsyncIterator()
            let record = try #require(try await walk.next())
            #expect(record.data == first.publicIPv4, "the records point at the droplets")
        }
    }
}
