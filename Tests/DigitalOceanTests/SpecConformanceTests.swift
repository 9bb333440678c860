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
            let volumeSnapshot = try await call(
                .POST, "/v2/volumes/{volume_id}/snapshots", "/v2/volumes/\(volumeID)/snapshots", #"{"name":"spec-vol-snap"}"#, status: 201)
            _ = try await call(.GET, "/v2/volumes/{volume_id}/snapshots", "/v2/volumes/\(volumeID)/snapshots", status: 200)
            let volumeSnapshotID = try #require((volumeSnapshot["snapshot"] as? [String: Any])?["id"] as? String)
            _ = try await call(.DELETE, "/v2/snapshots/{snapshot_id}", "/v2/snapshots/\(volumeSnapshotID)", status: 204)
            let image = try await call(
                .POST, "/v2/images", "/v2/images", #"{"name":"spec-image","url":"https://images.example/a.img","region":"nyc3"}"#, status: 202)
            let imageID = try #require((image["image"] as? [String: Any])?["id"] as? Int)
            _ = try await call(.GET, "/v2/images/{image_id}", "/v2/images/\(imageID)", status: 200)
            _ = try await call(.DELETE, "/v2/images/{image_id}", "/v2/images/\(imageID)", status: 204)
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

            try await exerciseInventoryKinds(call: call, droplet: droplet)

            _ = try await call(.GET, "/v2/customers/my/balance", "/v2/customers/my/balance", status: 200)
            _ = try await call(.GET, "/v2/customers/my/billing_history", "/v2/customers/my/billing_history", status: 200)
            let invoices = try await call(.GET, "/v2/customers/my/invoices", "/v2/customers/my/invoices", status: 200)
            // No month has closed on the simulator's clock here: the preview's items, and a summary
            // of an invoice that does not exist (SimulatorBillingTests reads a real one).
            let invoice = ((invoices["invoices"] as? [[String: Any]])?.first?["invoice_uuid"] as? String) ?? "preview"
            _ = try await call(.GET, "/v2/customers/my/invoices/{invoice_uuid}", "/v2/customers/my/invoices/\(invoice)", status: 200)
            _ = try await call(
                .GET, "/v2/customers/my/invoices/{invoice_uuid}/summary", "/v2/customers/my/invoices/00000000-0000-4000-8000-000000000000/summary",
                status: 404)

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

    /// The inventory kinds: droplet backups and GPU droplets, then every generic collection
    /// (create, list, get, delete) and the routes that hang on them.
    func exerciseInventoryKinds(
        call: (HTTPMethod, String, String, String?, Int) async throws -> [String: Any], droplet: Int
    ) async throws {
        func member(_ object: [String: Any], _ key: String, _ field: String = "id") -> String {
            let value = (object[key] as? [String: Any])?[field]
            return (value as? String) ?? (value as? Int).map(String.init) ?? "?"
        }
        let backed = try await call(
            .POST, "/v2/droplets", "/v2/droplets", #"{"name":"spec-b","size":"s-1vcpu-1gb","image":"ubuntu-20-04-x64","backups":true}"#, 202)
        let backedID = member(backed, "droplet")
        let backups = try await call(.GET, "/v2/droplets/{droplet_id}/backups", "/v2/droplets/\(backedID)/backups", nil, 200)
        #expect((backups["backups"] as? [Any])?.count == 1)
        _ = try await call(
            .POST, "/v2/droplets", "/v2/droplets", #"{"name":"spec-gpu","size":"gpu-h100x1-80gb","image":"ubuntu-20-04-x64"}"#, 202)
        let gpus = try await call(.GET, "/v2/droplets", "/v2/droplets?type=gpus", nil, 200)
        #expect((gpus["droplets"] as? [Any])?.count == 1)

        let rules = #""forwarding_rules":[{"entry_protocol":"http","entry_port":80,"target_protocol":"http","target_port":8080}]"#
        let lb = try await call(
            .POST, "/v2/load_balancers", "/v2/load_balancers", #"{"name":"spec-lb","region":"nyc3",\#(rules),"droplet_ids":[\#(droplet)]}"#, 202)
        let lbID = member(lb, "load_balancer")
        _ = try await call(.GET, "/v2/load_balancers", "/v2/load_balancers", nil, 200)
        _ = try await call(.GET, "/v2/load_balancers/{lb_id}", "/v2/load_balancers/\(lbID)", nil, 200)
        _ = try await call(.DELETE, "/v2/load_balancers/{lb_id}", "/v2/load_balancers/\(lbID)", nil, 204)

        let database = try await call(
            .POST, "/v2/databases", "/v2/databases",
            #"{"name":"spec-db","engine":"pg","num_nodes":1,"size":"db-s-1vcpu-1gb","region":"nyc3","tags":["spec"]}"#, 201)
        let databaseID = member(database, "database")
        _ = try await call(.GET, "/v2/databases", "/v2/databases", nil, 200)
        _ = try await call(.GET, "/v2/databases/{database_cluster_uuid}", "/v2/databases/\(databaseID)", nil, 200)
        _ = try await call(.DELETE, "/v2/databases/{database_cluster_uuid}", "/v2/databases/\(databaseID)", nil, 204)

        let cluster = try await call(
            .POST, "/v2/kubernetes/clusters", "/v2/kubernetes/clusters",
            #"{"name":"spec-k8s","region":"nyc3","version":"latest","node_pools":[{"name":"pool-1","size":"s-1vcpu-2gb","count":2}]}"#, 201)
        let clusterID = member(cluster, "kubernetes_cluster")
        let poolID = (((cluster["kubernetes_cluster"] as? [String: Any])?["node_pools"] as? [[String: Any]])?.first?["id"] as? String) ?? "?"
        let clusterPath = "/v2/kubernetes/clusters/\(clusterID)"
        _ = try await call(.GET, "/v2/kubernetes/clusters", "/v2/kubernetes/clusters", nil, 200)
        _ = try await call(.GET, "/v2/kubernetes/clusters/{cluster_id}", clusterPath, nil, 200)
        _ = try await call(.GET, "/v2/kubernetes/clusters/{cluster_id}/node_pools", clusterPath + "/node_pools", nil, 200)
        _ = try await call(
            .GET, "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}", clusterPath + "/node_pools/\(poolID)", nil, 200)
        _ = try await call(.DELETE, "/v2/kubernetes/clusters/{cluster_id}", clusterPath, nil, 204)

        let vpc = try await call(.POST, "/v2/vpcs", "/v2/vpcs", #"{"name":"spec-vpc","region":"nyc3","ip_range":"10.20.0.0/20"}"#, 201)
        let vpcID = member(vpc, "vpc")
        _ = try await call(.GET, "/v2/vpcs", "/v2/vpcs", nil, 200)
        _ = try await call(.GET, "/v2/vpcs/{vpc_id}", "/v2/vpcs/\(vpcID)", nil, 200)
        _ = try await call(.DELETE, "/v2/vpcs/{vpc_id}", "/v2/vpcs/\(vpcID)", nil, 204)

        let project = try await call(
            .POST, "/v2/projects", "/v2/projects", #"{"name":"spec-project","purpose":"Service or API","environment":"Production"}"#, 201)
        let projectID = member(project, "project")
        let urns = #"{"resources":["do:droplet:\#(droplet)"]}"#
        _ = try await call(.GET, "/v2/projects", "/v2/projects", nil, 200)
        _ = try await call(.GET, "/v2/projects/{project_id}", "/v2/projects/\(projectID)", nil, 200)
        _ = try await call(.GET, "/v2/projects/default", "/v2/projects/default", nil, 200)
        _ = try await call(.POST, "/v2/projects/{project_id}/resources", "/v2/projects/\(projectID)/resources", urns, 200)
        _ = try await call(.GET, "/v2/projects/{project_id}/resources", "/v2/projects/\(projectID)/resources", nil, 200)
        _ = try await call(.POST, "/v2/projects/default/resources", "/v2/projects/default/resources", urns, 200)
        _ = try await call(.GET, "/v2/projects/default/resources", "/v2/projects/default/resources", nil, 200)
        _ = try await call(.DELETE, "/v2/projects/{project_id}", "/v2/projects/\(projectID)", nil, 204)

        let key = try await call(
            .POST, "/v2/account/keys", "/v2/account/keys",
            #"{"name":"spec-key","public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIspec spec@example"}"#,
            201)
        let keyID = member(key, "ssh_key")
        _ = try await call(.GET, "/v2/account/keys", "/v2/account/keys", nil, 200)
        _ = try await call(.GET, "/v2/account/keys/{ssh_key_identifier}", "/v2/account/keys/\(keyID)", nil, 200)
        _ = try await call(.DELETE, "/v2/account/keys/{ssh_key_identifier}", "/v2/account/keys/\(keyID)", nil, 204)

        let pem =
            #""private_key":"-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----","leaf_certificate":"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----""#
        let certificate = try await call(.POST, "/v2/certificates", "/v2/certificates", #"{"name":"spec-cert","type":"custom",\#(pem)}"#, 201)
        let certificateID = member(certificate, "certificate")
        _ = try await call(.GET, "/v2/certificates", "/v2/certificates", nil, 200)
        _ = try await call(.GET, "/v2/certificates/{certificate_id}", "/v2/certificates/\(certificateID)", nil, 200)

        let endpoint = try await call(
            .POST, "/v2/cdn/endpoints", "/v2/cdn/endpoints",
            #"{"origin":"spec.nyc3.digitaloceanspaces.com","ttl":600,"custom_domain":"static.spec.test","certificate_id":"\#(certificateID)"}"#, 201)
        let endpointID = member(endpoint, "endpoint")
        _ = try await call(.GET, "/v2/cdn/endpoints", "/v2/cdn/endpoints", nil, 200)
        _ = try await call(.GET, "/v2/cdn/endpoints/{cdn_id}", "/v2/cdn/endpoints/\(endpointID)", nil, 200)
        _ = try await call(.DELETE, "/v2/cdn/endpoints/{cdn_id}", "/v2/cdn/endpoints/\(endpointID)", nil, 204)
        _ = try await call(.DELETE, "/v2/certificates/{certificate_id}", "/v2/certificates/\(certificateID)", nil, 204)

        let app = try await call(.POST, "/v2/apps", "/v2/apps", #"{"spec":{"name":"spec-app","region":"ams"}}"#, 200)
        let appID = member(app, "app")
        _ = try await call(.GET, "/v2/apps", "/v2/apps", nil, 200)
        _ = try await call(.GET, "/v2/apps/{id}", "/v2/apps/\(appID)", nil, 200)
        _ = try await call(.DELETE, "/v2/apps/{id}", "/v2/apps/\(appID)", nil, 200)

        _ = try await call(.GET, "/v2/registry", "/v2/registry", nil, 404)
        _ = try await call(.POST, "/v2/registry", "/v2/registry", #"{"name":"spec-registry","subscription_tier_slug":"basic","region":"fra1"}"#, 201)
        _ = try await call(.GET, "/v2/registry", "/v2/registry", nil, 200)
        _ = try await call(.DELETE, "/v2/registry", "/v2/registry", nil, 204)

        // Create errors have DigitalOcean's body.
        _ = try await call(.POST, "/v2/load_balancers", "/v2/load_balancers", #"{"name":"no-rules","region":"nyc3"}"#, 422)
        _ = try await call(.POST, "/v2/apps", "/v2/apps", #"{"spec":{}}"#, 422)
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
