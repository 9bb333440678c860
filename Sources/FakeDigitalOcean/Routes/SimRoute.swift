/// A matched API route: its spec path template and its handler.
struct SimRoute: Sendable {
    typealias Handler = @Sendable (inout World, SimRequest) throws -> SimResponse

    var method: String
    /// The path as the spec writes it: `/v2/droplets/{droplet_id}`.
    var template: String
    var handler: Handler
    private var parts: [Substring]

    init(_ method: String, _ template: String, _ handler: @escaping Handler) {
        self.method = method
        self.template = template
        self.handler = handler
        self.parts = template.split(separator: "/")
    }

    /// Whether `segments` fit the template (`{…}` matches any one segment).
    func matches(method: String, segments: [String]) -> Bool {
        guard method == self.method, segments.count == parts.count else { return false }
        return zip(parts, segments).allSatisfy { $0.first == "{" || $0 == $1 }
    }

    /// Finds the route for `method` and the path's segments (`["v2", "droplets", "123"]`).
    static func match(method: String, segments: [String]) -> SimRoute? {
        all.first { $0.matches(method: method, segments: segments) }
    }

    /// Whether some route serves this path with another method (405 rather than 404).
    static func pathExists(_ segments: [String]) -> Bool {
        all.contains { route in route.parts.count == segments.count && zip(route.parts, segments).allSatisfy { $0.first == "{" || $0 == $1 } }
    }

    /// Every operation the simulator serves, in the spec's own path templates: the hand-written
    /// routes, then those of the generic collections (``SimCollection``).
    static let all: [SimRoute] = handWritten + SimCollection.all.flatMap(\.routes)

    /// The routes with handlers of their own.
    static let handWritten: [SimRoute] = [
        SimRoute("GET", "/v2/account") { w, q in w.getAccount(q) },
        SimRoute("GET", "/v2/actions") { w, q in w.listActions(q) },
        SimRoute("GET", "/v2/actions/{action_id}") { w, q in try w.getAction(q) },
        SimRoute("GET", "/v2/droplets") { w, q in try w.listDroplets(q) },
        SimRoute("POST", "/v2/droplets") { w, q in try w.createDroplets(q) },
        SimRoute("DELETE", "/v2/droplets") { w, q in try w.deleteDropletsByTag(q) },
        SimRoute("GET", "/v2/droplets/{droplet_id}") { w, q in try w.getDroplet(q) },
        SimRoute("DELETE", "/v2/droplets/{droplet_id}") { w, q in try w.deleteDroplet(q) },
        SimRoute("POST", "/v2/droplets/{droplet_id}/actions") { w, q in try w.postDropletAction(q) },
        SimRoute("GET", "/v2/droplets/{droplet_id}/actions") { w, q in try w.listDropletActions(q) },
        SimRoute("GET", "/v2/droplets/{droplet_id}/actions/{action_id}") { w, q in try w.getDropletAction(q) },
        SimRoute("GET", "/v2/droplets/{droplet_id}/snapshots") { w, q in try w.listDropletSnapshots(q) },
        SimRoute("GET", "/v2/droplets/{droplet_id}/backups") { w, q in try w.listDropletBackups(q) },
        SimRoute("GET", "/v2/snapshots") { w, q in try w.listSnapshots(q) },
        SimRoute("GET", "/v2/snapshots/{snapshot_id}") { w, q in try w.getSnapshot(q) },
        SimRoute("DELETE", "/v2/snapshots/{snapshot_id}") { w, q in try w.deleteSnapshot(q) },
        SimRoute("GET", "/v2/images") { w, q in w.listImages(q) },
        SimRoute("POST", "/v2/images") { w, q in try w.createCustomImage(q) },
        SimRoute("GET", "/v2/images/{image_id}") { w, q in try w.getImage(q) },
        SimRoute("DELETE", "/v2/images/{image_id}") { w, q in try w.deleteImage(q) },
        SimRoute("GET", "/v2/domains") { w, q in w.listDomains(q) },
        SimRoute("POST", "/v2/domains") { w, q in try w.createDomain(q) },
        SimRoute("GET", "/v2/domains/{domain_name}") { w, q in try w.getDomain(q) },
        SimRoute("DELETE", "/v2/domains/{domain_name}") { w, q in try w.deleteDomain(q) },
        SimRoute("GET", "/v2/domains/{domain_name}/records") { w, q in try w.listRecords(q) },
        SimRoute("POST", "/v2/domains/{domain_name}/records") { w, q in try w.createRecord(q) },
        SimRoute("GET", "/v2/domains/{domain_name}/records/{domain_record_id}") { w, q in try w.getRecord(q) },
        SimRoute("PUT", "/v2/domains/{domain_name}/records/{domain_record_id}") { w, q in try w.updateRecord(q, partial: false) },
        SimRoute("PATCH", "/v2/domains/{domain_name}/records/{domain_record_id}") { w, q in try w.updateRecord(q, partial: true) },
        SimRoute("DELETE", "/v2/domains/{domain_name}/records/{domain_record_id}") { w, q in try w.deleteRecord(q) },
        SimRoute("GET", "/v2/tags") { w, q in w.listTags(q) },
        SimRoute("POST", "/v2/tags") { w, q in try w.createTag(q) },
        SimRoute("GET", "/v2/tags/{tag_id}") { w, q in try w.getTag(q) },
        SimRoute("DELETE", "/v2/tags/{tag_id}") { w, q in try w.deleteTag(q) },
        SimRoute("POST", "/v2/tags/{tag_id}/resources") { w, q in try w.tagResources(q, add: true) },
        SimRoute("DELETE", "/v2/tags/{tag_id}/resources") { w, q in try w.tagResources(q, add: false) },
        SimRoute("GET", "/v2/volumes") { w, q in w.listVolumes(q) },
        SimRoute("POST", "/v2/volumes") { w, q in try w.createVolume(q) },
        SimRoute("GET", "/v2/volumes/{volume_id}") { w, q in try w.getVolume(q) },
        SimRoute("DELETE", "/v2/volumes/{volume_id}") { w, q in try w.deleteVolume(q) },
        SimRoute("GET", "/v2/volumes/{volume_id}/snapshots") { w, q in try w.listVolumeSnapshots(q) },
        SimRoute("POST", "/v2/volumes/{volume_id}/snapshots") { w, q in try w.createVolumeSnapshot(q) },
        SimRoute("GET", "/v2/reserved_ips") { w, q in w.listReservedIPs(q) },
        SimRoute("POST", "/v2/reserved_ips") { w, q in try w.createReservedIP(q) },
        SimRoute("GET", "/v2/reserved_ips/{reserved_ip}") { w, q in try w.getReservedIP(q) },
        SimRoute("DELETE", "/v2/reserved_ips/{reserved_ip}") { w, q in try w.deleteReservedIP(q) },
        SimRoute("POST", "/v2/reserved_ips/{reserved_ip}/actions") { w, q in try w.postReservedIPAction(q) },
        SimRoute("GET", "/v2/firewalls") { w, q in w.listFirewalls(q) },
        SimRoute("POST", "/v2/firewalls") { w, q in try w.createFirewall(q) },
        SimRoute("GET", "/v2/firewalls/{firewall_id}") { w, q in try w.getFirewall(q) },
        SimRoute("PUT", "/v2/firewalls/{firewall_id}") { w, q in try w.updateFirewall(q) },
        SimRoute("DELETE", "/v2/firewalls/{firewall_id}") { w, q in try w.deleteFirewall(q) },
        SimRoute("POST", "/v2/firewalls/{firewall_id}/droplets") { w, q in try w.firewallDroplets(q, add: true) },
        SimRoute("DELETE", "/v2/firewalls/{firewall_id}/droplets") { w, q in try w.firewallDroplets(q, add: false) },
        SimRoute("GET", "/v2/sizes") { w, q in w.listSizes(q) },
        SimRoute("GET", "/v2/regions") { w, q in w.listRegions(q) },
        SimRoute("GET", "/v2/customers/my/balance") { w, q in w.getBalance(q) },
        SimRoute("GET", "/v2/customers/my/billing_history") { w, q in w.listBillingHistory(q) },
        SimRoute("GET", "/v2/customers/my/invoices") { w, q in w.listInvoices(q) },
        SimRoute("GET", "/v2/customers/my/invoices/{invoice_uuid}") { w, q in try w.listInvoiceItems(q) },
        SimRoute("GET", "/v2/customers/my/invoices/{invoice_uuid}/summary") { w, q in try w.getInvoiceSummary(q) },
        // Before the generic `/v2/projects/{project_id}`: `default` is a path of its own.
        SimRoute("GET", "/v2/projects/default") { w, q in try w.getDefaultProject(q) },
        SimRoute("GET", "/v2/projects/default/resources") { w, q in try w.listProjectResources(q) },
        SimRoute("POST", "/v2/projects/default/resources") { w, q in try w.assignProjectResources(q) },
        SimRoute("GET", "/v2/projects/{project_id}/resources") { w, q in try w.listProjectResources(q) },
        SimRoute("POST", "/v2/projects/{project_id}/resources") { w, q in try w.assignProjectResources(q) },
        SimRoute("GET", "/v2/kubernetes/clusters/{cluster_id}/node_pools") { w, q in try w.listNodePools(q) },
        SimRoute("GET", "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}") { w, q in try w.getNodePool(q) },
    ]
}
