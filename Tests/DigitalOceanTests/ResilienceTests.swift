import AsyncHTTPClient
import FakeDigitalOcean
import Foundation
import Logging
import NIOHTTP1
import TestSupport
import Testing

@testable import DigitalOcean

/// Pagination, rate limits, retries, token purposes and secrecy, against the simulator.
@Suite struct ResilienceTests {
    @Test func paginationOverAThousandDropletsWithChangesBetweenPages() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            var tagged: [Int] = []
            for index in 0..<1000 {
                let tags = index % 10 == 9 ? ["other"] : ["fleet"]
                let droplet = try await client.createDroplet(SimulatorHarness.dropletRequest("node-\(index)", tags: tags)).droplet
                if tags == ["fleet"] { tagged.append(droplet.id) }
            }
            #expect(tagged.count == 900)
            var iterator = client.droplets(tagName: "fleet").makeAsyncIterator()
            var seen: [Int] = []
            var added: [Int] = []
            var removed: [Int] = []
            while let droplet = try await iterator.next() {
                seen.append(droplet.id)
                if seen.count == 250 {
                    // Between pages: delete two droplets already seen (later pages shift back, so
                    // two droplets slide past the page boundary) and add three new ones at the end.
                    for id in tagged[0..<2] {
                        try await client.deleteDroplet(id: id)
                        removed.append(id)
                    }
                    for index in 0..<3 {
                        added.append(try await client.createDroplet(SimulatorHarness.dropletRequest("late-\(index)", tags: ["fleet"])).droplet.id)
                    }
                }
            }
            #expect(Set(seen).count == seen.count, "no droplet twice")
            #expect(Set(tagged).subtracting(removed).isSubset(of: Set(seen)), "every droplet that existed throughout was seen")
            #expect(Set(added).isSubset(of: Set(seen)))
            #expect(iterator.passes == 3, "confirmed by a second walk, which found the slid droplets, so a third found none")
            #expect(iterator.pages == 15)
            let audit = try await sim.audit()
            #expect(audit.filter { ($0["method"] as? String) == "POST" }.count == 1003)

            // A walk over an unchanging collection: 901 droplets in 5 pages, confirmed by one more walk.
            var quiet = client.droplets(tagName: "fleet").makeAsyncIterator()
            var count = 0
            while try await quiet.next() != nil { count += 1 }
            #expect(count == 901 && quiet.pages == 10 && quiet.passes == 2)
            // One page is one consistent answer: no second walk.
            var single = client.droplets(tagName: "other").makeAsyncIterator()
            count = 0
            while try await single.next() != nil { count += 1 }
            #expect(count == 100 && single.pages == 1 && single.passes == 1)
        }
    }

    @Test func paginationKeepsTheQueryAndAcceptsEmptyOrMissingLinks() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            for index in 0..<5 { _ = try await client.createDroplet(SimulatorHarness.dropletRequest("q-\(index)", tags: ["q"])) }
            let first = try await sim.json("/v2/droplets?tag_name=q&per_page=2")
            let pages = try #require((first["links"] as? [String: Any])?["pages"] as? [String: String])
            #expect(pages["next"] == "\(sim.server.baseURL)/v2/droplets?tag_name=q&per_page=2&page=2")
            #expect(pages["last"]?.hasSuffix("page=3") == true && pages["prev"] == nil)
            #expect((first["meta"] as? [String: Any])?["total"] as? Int == 5)
            let single = try await sim.json("/v2/droplets?tag_name=q")
            #expect((single["links"] as? [String: Any])?.isEmpty == true)
        }
        for body in [#"{"droplets": [], "links": {}}"#, #"{"droplets": []}"#, #"{"droplets": [], "links": {"pages": {}}}"#] {
            #expect(try PageProbe.next(in: body) == nil)
        }
    }

    @Test("a delete and a create between pages leave meta.total unchanged; the walk still sees every droplet")
    func paginationWithAnUnchangedTotal() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            var fleet: [Int] = []
            for index in 0..<450 {
                fleet.append(try await client.createDroplet(SimulatorHarness.dropletRequest("n-\(index)", tags: ["f"])).droplet.id)
            }
            var iterator = client.droplets(tagName: "f").makeAsyncIterator()
            var seen: [Int] = []
            var created: Int?
            while let droplet = try await iterator.next() {
                seen.append(droplet.id)
                if seen.count == 210 {
                    // Deleting one already seen slides droplet 401 back onto page 2, already read;
                    // one created keeps the total at 450.
                    try await client.deleteDroplet(id: fleet[0])
                    created = try await client.createDroplet(SimulatorHarness.dropletRequest("late", tags: ["f"])).droplet.id
                }
            }
            #expect(Set(seen).count == seen.count, "no droplet twice")
            #expect(Set(fleet.dropFirst()).isSubset(of: Set(seen)), "every droplet that existed throughout was seen")
            #expect(created.map { Set(seen).contains($0) } == true)
        }
    }

    @Test func aBurstOfFiveHundredCallsUnderATinyLimitSeesNo429() async throws {
        let limits = RateLimits(hourlyLimit: 100_000, hourlyWindow: 3600, burstLimit: 100, burstWindow: 1)
        // Rate-limit windows slide with real time: this simulator follows the wall clock.
        try await withSimulator(settings: SimulatorSettings(lags: .zero, rateLimits: limits), wallClock: true) { sim in
            // The headers count only the hourly window (as DigitalOcean's do): the burst limit is
            // invisible in them, and only the pacer's own burst budget keeps the calls under it.
            // No retries at all: a 429 would reach the caller.
            let client = sim.client(.inventory, retry: .init(maxAttempts: 1), burstLimit: (100, .seconds(1)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<500 { group.addTask { _ = try await client.account() } }
                try await group.waitForAll()
            }
            #expect(try await sim.responses(status: 429) == 0)
            #expect(try await sim.requestCount() == 500, "no request sent beyond the 500 calls")
            // Another token's first request: `remaining` is the hourly window's 99,999, not the
            // burst window's 99 (the tighter of the two, which the simulator used to report).
            let headers = try await sim.raw(.GET, "/v2/account", token: SimulatorHarness.writeToken).headers
            #expect(headers.first(name: "ratelimit-remaining") == "99999")
        }
    }

    @Test func a429IsWaitedOutNotHammered() async throws {
        try await withSimulator { sim in
            try await sim.addFault(#"{"method": "GET", "path": "/v2/account", "kind": "rate_limited", "remaining": 1}"#)
            let client = sim.client(.inventory)
            let started = ContinuousClock.now
            _ = try await client.account()
            #expect(ContinuousClock.now - started >= .seconds(1), "retry-after: 1 was honoured")
            #expect(try await sim.requestCount() == 2)
        }
    }

    @Test func getsSurviveInjected5xx() async throws {
        try await withSimulator { sim in
            try await sim.addFault(#"{"path": "/v2/sizes", "kind": "server_error", "status": 503, "remaining": 3}"#)
            let sizes = try await sim.client(.inventory).sizes().collect()
            #expect(!sizes.isEmpty)
            #expect(try await sim.responses(status: 503) == 3)
            try await sim.addFault(#"{"path": "/v2/account", "kind": "server_error", "status": 501}"#)
            let notImplemented = await #expect(throws: DigitalOceanError.self) { try await sim.client(.inventory).account() }
            #expect(notImplemented?.status == 501 && notImplemented?.attempts == 1, "501 is not retried")
        }
    }

    @Test("PUT and DELETE are retried through 5xx (idempotent); a POST's 5xx is ambiguous and not retried")
    func putAndDeleteSurvive5xx() async throws {
        try await withSimulator { sim in
            let client = sim.client()
            _ = try await client.createDomain(name: "retry.example")
            let record = try #require(try await client.createDomainRecord(domain: "retry.example", .init(type: "TXT", name: "t", data: "one")).id)
            try await sim.addFault(
                #"{"method": "PUT", "path": "/v2/domains/{domain_name}/records/{domain_record_id}", "kind": "server_error", "status": 502, "remaining": 2}"#
            )
            let updated = try await client.updateDomainRecord(domain: "retry.example", id: record, .init(type: "TXT", name: "t", data: "two"))
            #expect(updated.data == "two")
            try await sim.addFault(
                #"{"method": "DELETE", "path": "/v2/domains/{domain_name}/records/{domain_record_id}", "kind": "server_error", "status": 503, "remaining": 2}"#
            )
            try await client.deleteDomainRecord(domain: "retry.example", id: record)
            #expect(try await client.domainRecords(domain: "retry.example", type: "TXT").collect().isEmpty)
            #expect(try await sim.responses(status: 502) == 2, "the PUT was retried through two 502s")
            #expect(try await sim.responses(status: 503) == 2, "the DELETE was retried through two 503s")
            try await sim.addFault(#"{"method": "POST", "path": "/v2/domains/{domain_name}/records", "kind": "server_error", "remaining": 1}"#)
            let post = await #expect(throws: DigitalOceanError.self) {
                try await client.createDomainRecord(domain: "retry.example", .init(type: "TXT", name: "u", data: "x"))
            }
            #expect(post?.isAmbiguous == true && post?.attempts == 1)
        }
    }

    @Test func aPostWhoseResponseIsLostIsAmbiguousAndNotRetried() async throws {
        try await withSimulator { sim in
            try await sim.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "response_lost", "remaining": 1}"#)
            let client = sim.client()
            let error = await #expect(throws: DigitalOceanError.self) {
                try await client.createDroplet(SimulatorHarness.dropletRequest("lost-1", tags: ["req:lost-1"]))
            }
            #expect(error?.isAmbiguous == true && error?.attempts == 1 && error?.code == .transport)
            // The create was applied: looking by the request tag finds it, exactly once.
            #expect(try await client.droplets(tagName: "req:lost-1").collect().count == 1)
            let posts = try await sim.audit().filter { ($0["method"] as? String) == "POST" }
            #expect(posts.count == 1 && posts[0]["fault"] as? String == "response_lost")

            try await sim.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "server_error", "remaining": 1}"#)
            let serverError = await #expect(throws: DigitalOceanError.self) {
                try await client.createDroplet(SimulatorHarness.dropletRequest("five-1"))
            }
            #expect(serverError?.status == 500 && serverError?.isAmbiguous == true && serverError?.isRetryable == true && serverError?.attempts == 1)

            try await sim.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "rate_limited", "remaining": 1}"#)
            _ = try await client.createDroplet(SimulatorHarness.dropletRequest("limited-1"))
            #expect(try await client.droplets(name: "limited-1").collect().count == 1, "a 429 POST was not applied and is safe to repeat")
        }
    }

    @Test func transientAndPendingEvent422sAreRetryableButNotRetried() async throws {
        try await withSimulator { sim in
            try await sim.setLags(#"{"action": 60}"#)
            let client = sim.client()
            let droplet = try await client.createDroplet(SimulatorHarness.dropletRequest("busy")).droplet
            _ = try await client.powerOffDroplet(id: droplet.id)
            let pending = await #expect(throws: DigitalOceanError.self) { try await client.rebootDroplet(id: droplet.id) }
            #expect(pending?.status == 422 && pending?.message == "Droplet already has a pending event." && pending?.isRetryable == true)
            #expect(pending?.attempts == 1)
        }
    }

    @Test func anInventoryTokenNeverWrites() async throws {
        try await withSimulator { sim in
            let inventory = sim.client(.inventory)
            let refused = await #expect(throws: DigitalOceanError.self) { try await inventory.createDroplet(SimulatorHarness.dropletRequest("x")) }
            #expect(refused?.code == .readOnlyToken)
            await #expect(throws: DigitalOceanError.self) { try await inventory.deleteDroplet(id: 1) }
            let sent = try await sim.requestCount()
            #expect(sent == 0, "nothing left the client")

            // A provisioning client holding the read-only token is stopped by the simulator's scope.
            let mislabelled = sim.client(.provisioning, token: SimulatorHarness.readToken)
            let forbidden = await #expect(throws: DigitalOceanError.self) { try await mislabelled.createTag(name: "x") }
            #expect(forbidden?.status == 403 && forbidden?.id == "forbidden")
            let unknown = await #expect(throws: DigitalOceanError.self) { try await sim.client(.inventory, token: "dop_v1_unknown").account() }
            #expect(unknown?.status == 401 && unknown?.id == "unauthorized" && unknown?.requestID != nil)
        }
    }

    @Test func tokensNeverShowInDescriptionsErrorsOrLogs() async throws {
        let secret = SimulatorHarness.writeToken
        let token = APIToken(secret, purpose: .provisioning)
        #expect(!"\(token)".contains(secret) && !String(reflecting: token).contains(secret))
        let dump = {
            var out = ""; Swift.dump(token, to: &out); return out
        }()
        #expect(!dump.contains(secret))

        let lines = LogCapture()
        try await withSimulator { sim in
            try await sim.addFault(#"{"path": "/v2/account", "kind": "server_error", "remaining": 1}"#)
            var logger = Logger(label: "test") { _ in lines }
            logger.logLevel = .trace
            let client = DigitalOceanClient(
                configuration: .init(token: token, baseURL: sim.server.baseURL, retry: .init(baseDelay: .milliseconds(1))), logger: logger)
            _ = try await client.account()
            let error = await #expect(throws: DigitalOceanError.self) { try await client.droplet(id: 99) }
            #expect(!(error.map { "\($0)" } ?? "").contains(secret))
        }
        #expect(!lines.text.isEmpty && !lines.text.contains(secret))
    }
}

/// Decodes a page with the client's own page decoder.
enum PageProbe {
    struct Item: Decodable, Sendable, Identifiable { var id: Int }

    static func next(in body: String) throws -> String? {
        let decoder = JSONDecoder.digitalOcean
        decoder.userInfo[EnvelopeKey.userInfoKey] = "droplets"
        return try decoder.decode(Page<Item>.self, from: Data(body.utf8)).next
    }
}

/// Faults that stop short of an answer, and the remaining fault kinds.
@Suite struct TransportFaultTests {
    @Test func connectionErrorsAreRetriedForEveryMethodOnlyWhenNothingWasSent() async throws {
        // A port that was just free: nothing listens there.
        let harness = try await SimulatorHarness.start()
        let client = harness.client(retry: .init(maxAttempts: 3, baseDelay: .milliseconds(1)))
        await harness.stop()
        let get = await #expect(throws: DigitalOceanError.self) { try await client.account() }
        #expect(get?.code == .transport && get?.attempts == 3 && get?.isAmbiguous == false)
        let post = await #expect(throws: DigitalOceanError.self) { try await client.createTag(name: "x") }
        #expect(post?.code == .transport && post?.attempts == 3 && post?.isAmbiguous == false, "refused: certainly not applied")
    }

    @Test func retryable422AndLatencyFaults() async throws {
        try await withSimulator { sim in
            try await sim.addFault(#"{"method": "POST", "path": "/v2/tags", "kind": "retryable_422", "remaining": 1}"#)
            let client = sim.client()
            let transient = await #expect(throws: DigitalOceanError.self) { try await client.createTag(name: "t") }
            #expect(transient?.status == 422 && transient?.isRetryable == true && transient?.attempts == 1)
            #expect(try await client.createTag(name: "t").name == "t", "the retry the caller chose succeeds")

            try await sim.addFault(#"{"path": "/v2/regions", "kind": "latency", "latency_ms": 300, "remaining": 1}"#)
            let started = ContinuousClock.now
            _ = try await client.regions().collect()
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }
}
