import DigitalOcean
import SagaEngine

extension SagaRegistry {
    /// Registers the cloud steps with their services, and the cloud templates:
    /// `snapshot-droplet`, `provision-droplet`, `destroy-droplet`, `upsert-dns`, `delete-dns`,
    /// `suspend-deployment`, `resume-deployment` and `offboard-deployment`.
    ///
    /// Templates validate their inputs without any credential; a step that needs a missing token
    /// fails with an error naming the variable to set.
    public mutating func registerCloudTemplates(_ services: CloudServices) {
        register(CreateDropletSnapshotStep(services: services))
        register(UpsertDnsRecordStep(services: services))
        register(DeleteDnsRecordStep(services: services))
        register(CreateDropletStep(services: services))
        register(WaitDropletActiveStep(services: services))
        register(RegisterDropletStep(services: services))
        register(DestroyDropletStep(services: services))
        for scope in [PowerStep.Scope.deployment, .droplet] {
            register(PowerStep(services: services, powerOn: false, scope: scope))
            register(PowerStep(services: services, powerOn: true, scope: scope))
        }
        register(SnapshotDeploymentStep(services: services))
        register(DestroyDeploymentDropletsStep(services: services))
        register(RemoveDeploymentDnsStep(services: services))
        register(PlanReconcileStep(services: services))
        register(DestroyOrphanStep(services: services))
        register(AdoptActualSpecStep(services: services))
        register(RetireReplacedDropletStep(services: services))

        let dropletID = InputSpec("droplet_provider_id", .string, summary: "DigitalOcean's numeric droplet id")
        let deployment = InputSpec("deployment_id", .string, summary: "the deployment")
        let optionalDeployment = InputSpec(
            "deployment_id", .string, default: "", summary: "tags the droplet deployment:<id>, and makes it part of that deployment")
        let dropletLock: @Sendable ([String: JSONValue]) -> [String] = { inputs in
            ["droplet:\(inputs["droplet_provider_id"]?.stringValue ?? "")"]
        }
        let deploymentLock: @Sendable ([String: JSONValue]) -> [String] = { inputs in
            ["deployment:\(inputs["deployment_id"]?.stringValue ?? "")"]
        }
        register(
            SagaTemplate(
                name: "snapshot-droplet", kind: .provision, summary: "snapshot a droplet (kept on failure of later steps: deleted on rollback)",
                inputs: [dropletID, InputSpec("snapshot_label", .string, default: "", summary: "a label kept with the saga")],
                lockKeys: dropletLock, resolveSteps: Self.dropletSteps(["create_droplet_snapshot"])))
        register(
            SagaTemplate(
                name: "provision-droplet", kind: .provision, summary: "create a droplet, wait until it is active, register it",
                inputs: [
                    InputSpec("name", .string, summary: "droplet name"), InputSpec("region", .string, summary: "region slug, e.g. syd1"),
                    InputSpec("size_slug", .string, summary: "size slug, e.g. s-1vcpu-512mb-10gb"),
                    InputSpec("image", .string, summary: "image slug or numeric id"),
                    InputSpec("tags", .stringList, default: .array([]), summary: "extra tags"),
                    InputSpec("ssh_keys", .stringList, default: .array([]), summary: "SSH key ids or fingerprints"), optionalDeployment,
                ],
                steps: ["create_droplet", "wait_droplet_active", "register_droplet"]
            ) { inputs in
                let deployment = inputs["deployment_id"]?.stringValue ?? ""
                return deployment.isEmpty ? [] : ["deployment:\(deployment)"]
            })
        register(
            SagaTemplate(
                name: "destroy-droplet", kind: .offboard, summary: "destroy a droplet and mark it deleted", inputs: [dropletID],
                lockKeys: dropletLock, resolveSteps: Self.dropletSteps(["destroy_droplet"])))
        let dnsInputs = [
            InputSpec("dns_domain", .string, summary: "the zone, e.g. example.com"),
            InputSpec("dns_record_type", .string, summary: "A, AAAA, CNAME, MX, TXT, NS, SRV or CAA"),
            InputSpec("dns_record_name", .string, summary: "relative (www), fully qualified, or @ for the apex"),
        ]
        let dnsLock: @Sendable ([String: JSONValue]) -> [String] = { inputs in
            let domain = (inputs["dns_domain"]?.stringValue ?? "").lowercased()
            let type = (inputs["dns_record_type"]?.stringValue ?? "").uppercased()
            return ["dns:\(domain)/\(type)/\(DNSNames.relativeName(inputs["dns_record_name"]?.stringValue ?? "", domain: domain))"]
        }
        register(
            SagaTemplate(
                name: "upsert-dns", kind: .provision, summary: "ensure a DNS record (created, noop or updated)",
                inputs: dnsInputs + [
                    InputSpec("dns_record_data", .string, summary: "the record's data"),
                    InputSpec(
                        "dns_record_ttl", .int, default: .null,
                        summary: "TTL in seconds (1800 for a new record; when given, a different TTL is an update)"),
                    InputSpec("dns_record_priority", .int, default: .null, summary: "MX and SRV priority"),
                    InputSpec("dns_record_port", .int, default: .null, summary: "SRV port"),
                    InputSpec("dns_record_weight", .int, default: .null, summary: "SRV weight"), optionalDeployment,
                ],
                failurePolicy: .compensate, lockKeys: dnsLock, resolveSteps: Self.dnsSteps("upsert_dns_record")))
        register(
            SagaTemplate(
                name: "delete-dns", kind: .offboard, summary: "delete a DNS record by type and name (absent succeeds)", inputs: dnsInputs,
                failurePolicy: .compensate, lockKeys: dnsLock, resolveSteps: Self.dnsSteps("delete_dns_record")))
        for (name, step, summary) in [
            ("power-off-droplet", "power_off_droplet", "power a droplet off (already off succeeds)"),
            ("power-on-droplet", "power_on_droplet", "power a droplet on (already on succeeds)"),
        ] {
            register(
                SagaTemplate(
                    name: name, kind: .suspend, summary: summary, inputs: [dropletID], lockKeys: dropletLock,
                    resolveSteps: Self.dropletSteps([step])))
        }
        register(
            SagaTemplate(
                name: "suspend-deployment", kind: .suspend, summary: "power off every droplet of a deployment", inputs: [deployment],
                steps: ["power_off_deployment"], lockKeys: deploymentLock))
        register(
            SagaTemplate(
                name: "resume-deployment", kind: .suspend, summary: "power on every droplet of a deployment", inputs: [deployment],
                steps: ["power_on_deployment"], lockKeys: deploymentLock))
        // Offboarding keeps a last snapshot of each droplet unless told not to (a tenant that
        // leaves: nothing of it is kept).
        let keepSnapshots = InputSpec(
            "keep_snapshots", .bool, default: true, summary: "snapshot each droplet before destroying it, and keep the snapshots")
        register(
            SagaTemplate(
                name: "offboard-deployment", kind: .offboard,
                summary: "snapshot (unless keep_snapshots=false) and destroy a deployment's droplets, remove its DNS records",
                inputs: [deployment, keepSnapshots], lockKeys: deploymentLock,
                resolveSteps: { inputs in
                    (inputs["keep_snapshots"]?.boolValue ?? true ? ["snapshot_deployment"] : []) + [
                        "destroy_deployment_droplets", "remove_deployment_dns",
                    ]
                }))
        register(
            SagaTemplate(
                name: "reconcile", kind: .provision,
                summary: "act on one drift item: destroy an orphan, re-create a missing droplet, or adopt a changed spec",
                inputs: [
                    InputSpec("kind", .string, summary: "the drift item's kind, e.g. droplet"),
                    InputSpec("provider_id", .string, summary: "the drift item's provider_id"),
                    InputSpec("action", .string, summary: "destroy (an orphan), recreate (a missing droplet) or adopt (a changed spec)"),
                    InputSpec(
                        "deployment_id", .string, default: "",
                        summary:
                            "the deployment the resource belongs to (needed to re-create one of a deployment's droplets: the saga then holds the deployment's lock)"
                    ),
                ],
                lockKeys: { inputs in
                    let kind = inputs["kind"]?.stringValue ?? ""
                    let id = inputs["provider_id"]?.stringValue ?? ""
                    // The keys the other templates take for the same resource, and the deployment's
                    // (no suspend, resume or offboarding of it runs beside a re-create).
                    let deployment = (inputs["deployment_id"]?.stringValue).flatMap { $0.isEmpty ? nil : "deployment:\($0)" }
                    switch kind {
                    case ResourceKind.droplet: return ["droplet:\(id)"] + [deployment].compactMap { $0 }
                    case ResourceKind.domainRecord: return ["dns:\(id)"] + [deployment].compactMap { $0 }
                    default: return ["\(kind):\(id)"] + [deployment].compactMap { $0 }
                    }
                }, resolveSteps: Self.reconcileSteps))
    }

    /// Names the steps of a `reconcile` saga from its action.
    private static let reconcileSteps: @Sendable ([String: JSONValue]) throws -> [String] = { inputs in
        let kind = inputs["kind"]?.stringValue ?? ""
        let id = inputs["provider_id"]?.stringValue ?? ""
        guard !kind.isEmpty, !id.isEmpty else { throw StepFailure.permanent("inputs 'kind' and 'provider_id' must name a drift item") }
        switch inputs["action"]?.stringValue ?? "" {
        case "destroy": return ["plan_reconcile", "destroy_orphan"]
        case "adopt": return ["plan_reconcile", "adopt_actual_spec"]
        case "recreate":
            guard kind == ResourceKind.droplet else { throw StepFailure.permanent("only a droplet can be re-created ('recreate'), not a \(kind)") }
            return ["plan_reconcile", "create_droplet", "wait_droplet_active", "register_droplet", "retire_replaced_droplet"]
        case let other: throw StepFailure.permanent("input 'action' must be destroy, recreate or adopt, got '\(other)'")
        }
    }

    /// Checks the droplet id is a DigitalOcean id (a positive number), then names the steps.
    private static func dropletSteps(_ steps: [String]) -> @Sendable ([String: JSONValue]) throws -> [String] {
        { inputs in
            let text = inputs["droplet_provider_id"]?.stringValue ?? ""
            guard let id = Int(text), id > 0 else {
                throw StepFailure.permanent("input 'droplet_provider_id' must be DigitalOcean's numeric droplet id, got '\(text)'")
            }
            return steps
        }
    }

    /// Validates the DNS inputs together, then names the one step.
    private static func dnsSteps(_ step: String) -> @Sendable ([String: JSONValue]) throws -> [String] {
        { inputs in
            var problems: [String] = []
            let type = (inputs["dns_record_type"]?.stringValue ?? "").uppercased()
            let known = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA"]
            if !known.contains(type) { problems.append("input 'dns_record_type' must be one of \(known.joined(separator: ", ")), got '\(type)'") }
            let domain = inputs["dns_domain"]?.stringValue ?? ""
            if domain.isEmpty || !domain.contains(".") || domain.contains(" ") {
                problems.append("input 'dns_domain' must be a domain name such as example.com, got '\(domain)'")
            }
            if let ttl = inputs["dns_record_ttl"]?.intValue, !(30...86_400).contains(ttl) {
                problems.append("input 'dns_record_ttl' must be between 30 and 86400 seconds, got \(ttl)")
            }
            if (inputs["dns_record_name"]?.stringValue ?? "").isEmpty {
                problems.append("input 'dns_record_name' must not be empty (use @ for the apex)")
            }
            if step == "upsert_dns_record" {
                let needed =
                    type == "MX" ? ["dns_record_priority"] : type == "SRV" ? ["dns_record_priority", "dns_record_port", "dns_record_weight"] : []
                for name in needed where inputs[name]?.intValue == nil { problems.append("input '\(name)' is required for \(type) records") }
                for name in ["dns_record_priority", "dns_record_port", "dns_record_weight"] {
                    if let value = inputs[name]?.intValue, !(0...65_535).contains(value) {
                        problems.append("input '\(name)' must be between 0 and 65535, got \(value)")
                    }
                }
            }
            guard problems.isEmpty else { throw StepFailure.permanent(problems.joined(separator: "; ")) }
            return [step]
        }
    }
}
