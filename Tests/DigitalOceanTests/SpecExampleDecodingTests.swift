import Foundation
import Testing

@testable import DigitalOcean

/// The client decodes DigitalOcean's own examples from the official spec, and the same elements
/// cut down to the fields the spec requires (plus their identity): a field the spec does not
/// require never fails a page.
@Suite struct SpecExampleDecodingTests {
    /// The spec as Foundation objects.
    nonisolated(unsafe) static let spec: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/do-openapi/digitalocean-api-v2-subset.json"
        )
        .standardizedFileURL
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    /// A response's example bodies.
    static func examples(_ response: String) -> [(name: String, body: [String: Any])] {
        let components = spec["components"] as? [String: Any]
        let responses = components?["responses"] as? [String: Any]
        let json = ((responses?[response] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        if let example = json?["example"] as? [String: Any] { return [("example", example)] }
        let named = json?["examples"] as? [String: Any] ?? [:]
        let shared = components?["examples"] as? [String: Any] ?? [:]
        return named.keys.sorted().compactMap { key in
            var entry = named[key] as? [String: Any]
            if let ref = entry?["$ref"] as? String { entry = shared[String(ref.split(separator: "/").last ?? "")] as? [String: Any] }
            return (entry?["value"] as? [String: Any]).map { (key, $0) }
        }
    }

    /// The properties a schema requires (through `allOf` and `$ref`s).
    static func required(_ schemaName: String) -> Set<String> {
        let schemas = (spec["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        func collect(_ schema: [String: Any]) -> Set<String> {
            if let ref = schema["$ref"] as? String, let target = schemas[String(ref.split(separator: "/").last ?? "")] as? [String: Any] {
                return collect(target)
            }
            var names = Set(schema["required"] as? [String] ?? [])
            for part in schema["allOf"] as? [[String: Any]] ?? [] { names.formUnion(collect(part)) }
            return names
        }
        return collect(schemas[schemaName] as? [String: Any] ?? [:])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var response: String
        var key: String
        var schema: String
        var decode: @Sendable (Data, String) throws -> Int
        var testDescription: String { "\(response) (\(key))" }
    }

    static func list<T: Decodable>(_ type: T.Type) -> @Sendable (Data, String) throws -> Int {
        { data, key in
            let decoder = JSONDecoder.digitalOcean
            decoder.userInfo[EnvelopeKey.userInfoKey] = key
            return try decoder.decode(Page<T>.self, from: data).items.count
        }
    }

    static func single<T: Decodable>(_ type: T.Type) -> @Sendable (Data, String) throws -> Int {
        { data, key in
            let decoder = JSONDecoder.digitalOcean
            decoder.userInfo[EnvelopeKey.userInfoKey] = key
            _ = try decoder.decode(Envelope<T>.self, from: data)
            return 1
        }
    }

    static let cases: [Case] = [
        Case(response: "all_droplets", key: "droplets", schema: "droplet", decode: list(Droplet.self)),
        Case(response: "all_domain_records_response", key: "domain_records", schema: "domain_record", decode: list(DomainRecord.self)),
        Case(response: "all_firewalls", key: "firewalls", schema: "firewall", decode: list(Firewall.self)),
        Case(response: "all_images", key: "images", schema: "image", decode: list(Image.self)),
        Case(response: "all_droplet_snapshots", key: "snapshots", schema: "droplet_snapshot", decode: list(DropletSnapshot.self)),
        Case(response: "snapshots", key: "snapshots", schema: "snapshots", decode: list(Snapshot.self)),
        Case(response: "volumes", key: "volumes", schema: "volume_full", decode: list(Volume.self)),
        Case(response: "all_droplet_actions", key: "actions", schema: "action", decode: list(Action.self)),
        Case(response: "reserved_ip", key: "reserved_ip", schema: "reserved_ip", decode: single(ReservedIP.self)),
        Case(response: "all_droplet_backups", key: "backups", schema: "droplet_snapshot", decode: list(DropletBackup.self)),
        Case(response: "all_load_balancers", key: "load_balancers", schema: "load_balancer", decode: list(LoadBalancer.self)),
        Case(response: "existing_load_balancer", key: "load_balancer", schema: "load_balancer", decode: single(LoadBalancer.self)),
        Case(response: "database_clusters", key: "databases", schema: "database_cluster_read", decode: list(DatabaseCluster.self)),
        Case(response: "database_cluster", key: "database", schema: "database_cluster_read", decode: single(DatabaseCluster.self)),
        Case(response: "all_clusters", key: "kubernetes_clusters", schema: "cluster_read", decode: list(KubernetesCluster.self)),
        Case(response: "existing_cluster", key: "kubernetes_cluster", schema: "cluster_read", decode: single(KubernetesCluster.self)),
        Case(response: "all_node_pools", key: "node_pools", schema: "kubernetes_node_pool", decode: list(KubernetesNodePool.self)),
        Case(response: "all_certificates", key: "certificates", schema: "certificate", decode: list(Certificate.self)),
        Case(response: "existing_endpoint", key: "endpoint", schema: "cdn_endpoint", decode: single(CDNEndpoint.self)),
        Case(response: "list_apps", key: "apps", schema: "app", decode: list(App.self)),
        Case(response: "apps_get", key: "app", schema: "app", decode: single(App.self)),
    ]

    @Test("DigitalOcean's examples decode, whole and cut down to the required fields", arguments: cases)
    func examplesDecode(_ testCase: Case) throws {
        let examples = Self.examples(testCase.response)
        try #require(!examples.isEmpty, "the spec has examples for \(testCase.response)")
        // Identity is kept: an element without one cannot be acted on or told apart (only DNS
        // records, whose SOA DigitalOcean lists with a null id, decode without it).
        let required = Self.required(testCase.schema).union(testCase.schema == "domain_record" ? [] : ["id", "ip"])
        for (name, body) in examples {
            let whole = try JSONSerialization.data(withJSONObject: body)
            #expect(throws: Never.self, "\(name): whole") { _ = try testCase.decode(whole, testCase.key) }
            // Every element with only the fields the spec requires.
            var minimal = body
            if let items = body[testCase.key] as? [[String: Any]] {
                minimal[testCase.key] = items.map { $0.filter { required.contains($0.key) } }
            } else if let item = body[testCase.key] as? [String: Any] {
                minimal[testCase.key] = item.filter { required.contains($0.key) }
            }
            let cut = try JSONSerialization.data(withJSONObject: minimal)
            #expect(throws: Never.self, "\(name): required fields only \(required.sorted())") { _ = try testCase.decode(cut, testCase.key) }
        }
    }

    @Test("a DNS record without an id (the zone's SOA) decodes, and two of them are not merged by pagination")
    func recordsWithoutIDsDecode() throws {
        let decoder = JSONDecoder.digitalOcean
        decoder.userInfo[EnvelopeKey.userInfoKey] = "domain_records"
        let body =
            #"{"domain_records": [{"id": null, "type": "SOA", "ttl": 1800}, {"type": "SOA"}, {"id": 7, "type": "A", "name": "@", "data": "203.0.113.1", "ttl": 300}]}"#
        let page = try decoder.decode(Page<DomainRecord>.self, from: Data(body.utf8))
        #expect(page.items.map(\.id) == [nil, nil, 7])
        #expect(PaginatedSequence<DomainRecord>.Iterator.isAbsent(nil) && !PaginatedSequence<DomainRecord>.Iterator.isAbsent(7))
    }

    @Test("a page without its root key is an error, never an empty list")
    func aPageWithoutItsRootKeyIsAnError() throws {
        let decoder = JSONDecoder.digitalOcean
        decoder.userInfo[EnvelopeKey.userInfoKey] = "droplets"
        #expect(throws: DecodingError.self) { try decoder.decode(Page<Droplet>.self, from: Data(#"{"links": {}, "meta": {"total": 0}}"#.utf8)) }
        #expect(try decoder.decode(Page<Droplet>.self, from: Data(#"{"droplets": [], "links": {}}"#.utf8)).items.isEmpty)
    }
}
