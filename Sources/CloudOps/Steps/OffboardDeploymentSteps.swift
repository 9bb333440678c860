import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Offboarding a deployment: snapshot each of its droplets, destroy them, remove its DNS records.
///
/// Snapshots go one droplet at a time through ``CreateDropletSnapshotStep``'s logic, with the
/// droplet's id standing in for the `droplet_provider_id` input.
public struct SnapshotDeploymentStep: SagaStep {
    public let name = "snapshot_deployment"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(300) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let deployment = try context.requiredInput("deployment_id")
            // The droplets are fixed at the first look, so a snapshot is never taken twice.
            var droplets = context.context["offboard_droplets"]?.arrayValue?.compactMap(\.intValue) ?? []
            if context.context["offboard_droplets"] == nil {
                droplets = try await client.droplets(tagName: CloudTags.deployment(deployment)).collect().filter { $0.status != "archive" }.map(\.id)
                    .sorted()
                return .pollAgain(
                    after: .zero, outputs: ["offboard_droplets": .array(droplets.map { .int($0) })],
                    waitingFor: "nothing: the deployment's \(droplets.count) droplet(s) are recorded")
            }
            var snapshots = context.context["offboard_snapshots"]?.objectValue ?? [:]
            guard let next = droplets.first(where: { snapshots[String($0)] == nil }) else {
                return .done(["offboard_snapshots": .object(snapshots)])
            }
            // One droplet at a time, with its own keys in the context.
            let single = CreateDropletSnapshotStep(services: services)
            var sub = context
            sub.inputs["droplet_provider_id"] = .int(next)
            sub.context = Self.scoped(context.context, droplet: next)
            let outcome = try await single.execute(sub)
            switch outcome {
            case .done(let outputs):
                snapshots[String(next)] = outputs["snapshot_id"] ?? .null
                return .pollAgain(
                    after: .zero, outputs: ["offboard_snapshots": .object(snapshots)].merging(Self.unscoped(outputs, droplet: next)) { a, _ in a },
                    waitingFor: "nothing: snapshot of droplet \(next) recorded")
            case .pollAgain(let delay, let outputs, let waitingFor):
                return .pollAgain(after: delay, outputs: Self.unscoped(outputs, droplet: next), waitingFor: waitingFor)
            }
        }
    }

    /// An offboarding rolled back deletes the snapshots it took of droplets that still exist; the
    /// snapshot of a droplet the offboarding already destroyed is its only copy and is kept.
    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            let single = CreateDropletSnapshotStep(services: services)
            for droplet in context.context["offboard_droplets"]?.arrayValue?.compactMap(\.intValue) ?? [] {
                do {
                    _ = try await client.droplet(id: droplet)
                } catch let error as DigitalOceanError where error.isNotFound {
                    context.logger.notice("keeping the snapshot of a destroyed droplet", metadata: ["droplet.id": "\(droplet)"])
                    continue
                }
                var sub = context
                sub.inputs["droplet_provider_id"] = .int(droplet)
                sub.context = Self.scoped(context.context, droplet: droplet)
                if let id = context.context["offboard_snapshots"]?.objectValue?[String(droplet)], sub.context["snapshot_id"] == nil {
                    sub.context["snapshot_id"] = id
                }
                try await single.compensate(sub)
            }
        }
    }

    /// The per-droplet context keys (`d<id>.snapshot_id`, …) as the single-droplet step sees them.
    static func scoped(_ context: [String: JSONValue], droplet: Int) -> [String: JSONValue] {
        let prefix = "d\(droplet)."
        var result: [String: JSONValue] = [:]
        for (key, value) in context where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
        return result
    }

    static func unscoped(_ outputs: [String: JSONValue], droplet: Int) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: outputs.map { ("d\(droplet).\($0.key)", $0.value) })
    }
}

/// Destroys every droplet of a deployment recorded by `snapshot_deployment` (or, alone, tagged
/// with the deployment), marks them deleted in the inventory and drops their desired state, and
/// the desired state of its droplets already gone (missing in drift): an offboarded deployment
/// has nothing left to re-create.
/// Terminal: its compensation only logs.
public struct DestroyDeploymentDropletsStep: SagaStep {
    public let name = "destroy_deployment_droplets"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(300) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let deployment = try context.requiredInput("deployment_id")
            var ids = Set(context.context["offboard_droplets"]?.arrayValue?.compactMap(\.intValue) ?? [])
            ids.formUnion(try await client.droplets(tagName: CloudTags.deployment(deployment)).collect().filter { $0.status != "archive" }.map(\.id))
            for id in ids.sorted() {
                try await DropletTeardown.destroy(id, client: client, context: context)
                try await services.store.markResourceDeleted(kind: ResourceKind.droplet, providerID: String(id), at: context.now)
                try await services.store.removeProvisioned(kind: ResourceKind.droplet, providerID: String(id))
            }
            for row in try await services.store.provisioned(deploymentID: deployment) where row.kind == ResourceKind.droplet {
                try await services.store.removeProvisioned(kind: row.kind, providerID: row.providerID)
            }
            return .done(["destroyed_droplets": .array(ids.sorted().map { .int($0) })])
        }
    }

    public func compensate(_ context: StepContext) async throws {
        context.logger.notice("destroy_deployment_droplets cannot be undone; nothing to compensate")
    }
}

/// Deletes every DNS record in a deployment's desired state and drops that state. Terminal.
public struct RemoveDeploymentDnsStep: SagaStep {
    public let name = "remove_deployment_dns"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let deployment = try context.requiredInput("deployment_id")
            var removed: [JSONValue] = []
            for row in try await services.store.provisioned(deploymentID: deployment) where row.kind == ResourceKind.domainRecord {
                guard let domain = row.spec["domain"]?.stringValue, let type = row.spec["type"]?.stringValue, let name = row.spec["name"]?.stringValue
                else { continue }
                let data = row.spec["data"]?.stringValue
                let records = try await client.domainRecords(domain: domain, name: DNSNames.fullyQualifiedName(name, domain: domain), type: type)
                    .collect()
                    .filter { record in
                        DNSNames.relativeName(record.name ?? "@", domain: domain) == name
                            && (data.map { DNSNames.sameData(type: type, record.data ?? "", $0) } ?? true)
                    }
                for record in records {
                    guard let id = record.id else { continue }
                    do {
                        try await client.deleteDomainRecord(domain: domain, id: id)
                    } catch let error as DigitalOceanError where error.isNotFound {
                        continue
                    }
                }
                try await services.store.removeProvisioned(kind: row.kind, providerID: row.providerID)
                removed.append(.string(row.providerID))
            }
            return .done(["removed_dns_records": .array(removed)])
        }
    }

    public func compensate(_ context: StepContext) async throws {
        context.logger.notice("remove_deployment_dns cannot be undone; nothing to compensate")
    }
}
