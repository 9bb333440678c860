import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

@testable import FakeDigitalOcean

/// Every simulator operation answers with the fields the official spec (`do-openapi/`) marks
/// required, with the right types, plus DigitalOcean's headers.
@Suite struct SpecConformanceTests {
    struct Call {
        var method: HTTPMethod
        var template: String
        var path: String
        var body: String?
        var status: Int
    }

    @Test func everyOperationMatchesTheSpec() async throws {
        let validator = try OpenAPIResponseValidator.loadDefault()
        try await withSimulator { sim in
            var calls: [Call] = []
            var captured: [String: Any] = [:]
            func call(_ method: HTTPMethod, _ template: String, _ path: String, _ body: String? = nil, status: Int) async throws -> [String: Any] {
                let response = try await sim.raw(method, path, body: body)
                calls.append(Call(method: method, template: template, path: path, body: body, status: response.status))
                #expect(response.status == status, "\(method) \(path): \(String(decoding: response.body, as: UTF8.self))")
                #expect(response.headers.first(name: "x-request-id") != nil, "\(method) \(path) carries x-request-id")
                #expect(response.headers.first(name: "ratelimit-remaining").flatMap { Int($0) } != nil, "\(method) \(path) carries ratelimit headers")
                let problems = validator.problems(method: method.rawValue, pathTemplate: template, status: response.status, body: response.body)
                #expect(problems.isEmpty, "\(method) \(template) → \(response.status): \(problems.joined(separator: "; "))")
                return (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
            }
            func id(_ object: [String: Any], _ key: String) -> Int { (object[key] as? [String: Any])?["id"] as? Int ?? -1 }

            _ = try await call(.GET, "/v2/account", "/v2/account", status: 200)
            _ = try await call(.GET, "/v2/sizes", "/v2/sizes", status: 200)
            _ = try await call(.GET, "/v2/regions", "/v2/regions", status: 200)
            _ = try await call(.GET, "/v2/images", "/v2/images", status: 200)
            _ = try await call(.GET, "/v2/images/{image_id}", "/v2/images/ubuntu-20-04-x64", status: 200)

            let create = try await call(
                .POST, "/v2/droplets", "/v2/droplets",
                #"{"name":"spec-1","region":"nyc3","size":"s-1vcpu-1gb","image":"ubuntu-20-04-x64","tags":["spec"]}"#, status: 202)
            let droplet = id(create, "droplet")
            _ = try await call(.GET, "/v2/droplets", "/v2/droplets?tag_name=spec", status: 200)
            _ = try await call(.GET, "/v2/droplets/{droplet_id}", "/v2/droplets/\(droplet)", status: 200)
            let snapshot = try await call(
                .POST, "/v2/droplets/{droplet_id}/actions", "/v2/droplets/\(droplet)/actions", #"{"type":"snapshot","name":"spec-snap"}"#, status: 201
            )
            let action = id(snapshot, "action")
            _ = try await call(.GET, "/v2/droplets/{droplet_id}/actions", "/v2/droplets/\(droplet)/actions", status: 200)
            _ = try await call(.GET, "/v2/droplets/{droplet_id}/actions/{action_id}", "/v2/droplets/\(droplet)/actions/\(action)", status: 200)
            _ = try await call(.GET, "/v2/actions", "/v2/actions", status: 200)
            _ = try await call(.GET, "/v2/actions/{action_id}", "/v2/actions/\(action)", status: 200)
            let dropletSnapshots = try await call(.GET, "/v2/droplets/{droplet_id}/snapshots", "/v2/droplets/\(droplet)/snapshots", status: 200)
            let snapshotID = ((dropletSnapshots["snapshots"] as? [[String: Any]])?.first?["id"] as? Int) ?? -1
            _ = try await call(.GET, "/v2/snapshots", "/v2/snapshots", status: 200)
            _ = try await call(.GET, "/v2/snapshots/{snapshot_id}", "/v2/snapshots/\(snapshotID)", status: 200)
            _ = try await call(.GET, "/v2/images/{image_id}", "/v2/images/\(snapshotID)", status: 200)

            _ = try await call(.POST, "/v2/domains", "/v2/domains", #"{"name":"spec.test","ip_address":"203.0.113.1"}"#, status: 201)
            _ = try await call(.GET, "/v2/domains", "/v2/domains", status: 200)
            _ = try await call(.GET, "/v2/domains/{domain_name}", "/v2/domains/spec.test", status: 200)
            let record = try await call(
                .POST, "/v2/domains/{domain_name}/records", "/v2/domains/spec.test/records", #"{"type":"CNAME","name":"www","data":"@"}"#, status: 201
            )
            let recordID = id(record, "domain_record")
            _ = try await call(.GET, "/v2/domains/{domain_name}/records", "/v2/domains/spec.test/records", status: 200)
            let recordPath = "/v2/domains/spec.test/records/\(recordID)"
            _ = try await call(.GET, "/v2/domains/{domain_name}/records/{domain_record_id}", recordPath, status: 200)
            _ = try await call(
                .PUT, "/v2/domains/{domain_name}/records/{domain_record_id}", recordPath, #"{"type":"CNAME","name":"www","data":"spec.test."}"#,
                status: 200)
            _ = try await call(.PATCH, "/v2/domains/{domain_name}/records/{domain_record_id}", recordPath, #"{"ttl":600}"#, status: 200)
            _ = try await call(.DELETE, "/v2/domains/{domain_name}/records/{domain_record_id}", recordPath, status: 204)
            _ = try await call(.DELETE, "/v2/domains/{domain_name}", "/v2/domains/spec.test", status: 204)

            _ = try await call(.POST, "/v2/tags", "/v2/tags", #"{"name":"spec-tag"}"#, status: 201)
            _ = try await call(.GET, "/v2/tags", "/v2/tags", status: 200)
            _ = try await call(.GET, "/v2/tags/{tag_id}", "/v2/tags/spec-tag", status: 200)
            let resources = #"{"resources":[{"resource_id":"\#(droplet)","resource_type":"droplet"}]}"#
            _ = try await call(.POST, "/v2/tags/{tag_id}/resources", "/v2/tags/spec-tag/resources", resources, status: 204)
            _ = try await call(.DELETE, "/v2/tags/{tag_id}/resources", "/v2/tags/spec-tag/resources", resources, status: 204)
            _ = try await call(.DELETE, "/v2/tags/{tag_id}", "/v2/tags/spec-tag", status: 204)

            let volume = try await call(.POST, "/v2/volumes", "/v2/volumes", #"{"name":"spec-vol","size_gigabytes":10,"region":"nyc3"}"#, status: 201)
            let volumeID = (volume["volume"] as? [String: Any])?["id"] as? String ?? "?"
            _ = try await call(.GET, "/v2/volumes", "/v2/volumes", status: 200)
            _ = try await call(.GET, "/v2/volumes/{volume_id}", "/v2/volumes/\(volumeID)", status: 200)
            _ = try await call(.DELETE, "/v2/volumes/{volume_id}", "/v2/volumes/\(volumeID)", status: 204)

            let reserved = try await call(.POST, "/v2/reserved_ips", "/v2/reserved_ips", #"{"region":"nyc3"}"#, status: 202)
            let ip = (reserved["reserved_ip"] as? [String: Any])?["ip"] as? String ?? "?"
            _ = try await call(.GET, "/v2/reserved_ips", "/v2/reserved_ips", status: 200)
            _ = try await call(
                .POST, "/v2/reserved_ips/{reserved_ip}/actions", "/v2/reserved_ips/\(ip)/actions", #"{"type":"assign","droplet_id":\#(droplet)}"#,
                status: 201)
            _ = try await call(.GET, "/v2/reserved_ips/{reserved_ip}", "/v2/reserved_ips/\(ip)", status: 200)
            _ = try await call(
                .POST, "/v2/reserved_ips/{reserved_ip}/actions", "/v2/reserved_ips/\(ip)/actions", #"{"type":"unassign"}"#, status: 201)
            _ = try await call(.DELETE, "/v2/reserved_ips/{reserved_ip}", "/v2/reserved_ips/\(ip)", status: 204)

            let rules = #""inbound_rules":[{"protocol":"tcp","ports":"22","sources":{"addresses":["0.0.0.0/0"]}}]"#
            let firewall = try await call(.POST, "/v2/firewalls", "/v2/firewalls", #"{"name":"spec-fw",\#(rules)}"#, status: 202)
            let firewallID = (firewall["firewall"] as? [String: Any])?["id"] as? String ?? "?"
            _ = try await call(.GET, "/v2/firewalls", "/v2/firewalls", status: 200)
            _ = try await call(.GET, "/v2/firewalls/{firewall_id}", "/v2/firewalls/\(firewallID)", status: 200)
            _ = try await call(.PUT, "/v2/firewalls/{firewall_id}", "/v2/firewalls/\(firewallID)", #"{"name":"spec-fw-2",\#(rules)}"#, status: 200)
            let ids = #"{"droplet_ids":[\#(droplet)]}"#
            _ = try await call(.POST, "/v2/firewalls/{firewall_id}/droplets", "/v2/firewalls/\(firewallID)/droplets", ids, status: 204)
            _ = try await call(.DELETE, "/v2/firewalls/{firewall_id}/droplets", "/v2/firewalls/\(firewallID)/droplets", ids, status: 204)
            _ = try await call(.DELETE, "/v2/firewalls/{firewall_id}", "/v2/firewalls/\(firewallID)", status: 204)

            _ = try await call(.GET, "/v2/customers/my/balance", "/v2/customers/my/balance", status: 200)
            _ = try await call(.GET, "/v2/customers/my/billing_history", "/v2/customers/my/billing_history", status: 200)
            let invoices = try await call(.GET, "/v2/customers/my/invoices", "/v2/customers/my/invoices", status: 200)
            let invoice = ((invoices["invoices"] as? [[String: Any]])?.first?["invoice_uuid"] as? String) ?? "?"
            _ = try await call(.GET, "/v2/customers/my/invoices/{invoice_uuid}", "/v2/customers/my/invoices/\(invoice)", status: 200)

            _ = try await call(.DELETE, "/v2/snapshots/{snapshot_id}", "/v2/snapshots/\(snapshotID)", status: 204)
            _ = try await call(.DELETE, "/v2/droplets/{droplet_id}", "/v2/droplets/\(droplet)", status: 204)
            _ = try await call(
                .POST, "/v2/droplets", "/v2/droplets", #"{"name":"spec-2","size":"s-1vcpu-1gb","image":"ubuntu-20-04-x64","tags":["gone"]}"#,
                status: 202)
            _ = try await call(.DELETE, "/v2/droplets", "/v2/droplets?tag_name=gone", status: 204)

            // Errors have DigitalOcean's body too.
            _ = try await call(.GET, "/v2/droplets/{droplet_id}", "/v2/droplets/\(droplet)", status: 404)
            _ = try await call(.POST, "/v2/droplets", "/v2/droplets", #"{"name":"x","size":"huge","image":"ubuntu-20-04-x64"}"#, status: 422)
            captured["done"] = true

            // Coverage: every operation the simulator serves was exercised and is in the spec.
            let exercised = Set(calls.map { "\($0.method.rawValue) \($0.template)" })
            for route in SimRoute.all {
                #expect(exercised.contains("\(route.method) \(route.template)"), "not exercised: \(route.method) \(route.template)")
                #expect(
                    validator.operations.contains { $0.method.uppercased() == route.method && $0.path == route.template },
                    "not in spec: \(route.template)")
            }
        }
    }

    @Test("the validator can fail: an empty body or the wrong envelope key does not pass for a droplet or a droplet list")
    func theValidatorRejectsMissingEnvelopes() throws {
        let validator = try OpenAPIResponseValidator.loadDefault()
        for (template, body) in [
            ("/v2/droplets/{droplet_id}", "{}"), ("/v2/droplets", "{}"), ("/v2/droplets", #"{"links": {}, "meta": {"total": 0}}"#),
            ("/v2/droplets/{droplet_id}", #"{"droplets": []}"#),
        ] {
            let problems = validator.problems(method: "GET", pathTemplate: template, status: 200, body: Data(body.utf8))
            #expect(!problems.isEmpty, "GET \(template) accepted \(body)")
        }
        let list = #"{"droplets": [], "links": {}, "meta": {"total": 0}}"#
        #expect(validator.problems(method: "GET", pathTemplate: "/v2/droplets", status: 200, body: Data(list.utf8)).isEmpty)
    }
}
