import CloudOps
import Foundation
import SagaEngine

/// The inventory of one period as billing reads it: every resource that belongs to a deployment
/// and existed in the period, with its presence intervals (two queries, whatever the size).
///
/// A resource belongs to a deployment by its `deployment:<id>` tag or the saga that made it
/// (both recorded as its `deploymentID`); a snapshot without either belongs to the deployment of
/// the droplet or volume it was taken of (its `resource_id`, even once that is deleted), so the
/// snapshots a saga takes (and those an offboarding keeps) are billed as DigitalOcean bills them.
struct Usage: Sendable {
    let byDeployment: [String: [MeteredResource]]

    /// The kind of resource a snapshot kind is taken of.
    static let snapshotSources = ["snapshot": "droplet", "volume_snapshot": "volume"]

    static func load(inventory: any InventoryStore, period: BillingPeriod) async throws -> Usage {
        let intervals = Dictionary(
            grouping: try await inventory.presence(kind: nil, providerID: nil, from: period.start, to: period.end),
            by: { "\($0.kind)/\($0.providerID)" })
        let resources = try await inventory.resources(kind: nil, includeDeleted: true)
        var owners: [String: String] = [:]
        for resource in resources where snapshotSources.values.contains(resource.kind) {
            if let deployment = resource.deploymentID { owners["\(resource.kind)/\(resource.providerID)"] = deployment }
        }
        var byDeployment: [String: [MeteredResource]] = [:]
        for resource in resources {
            let source = snapshotSources[resource.kind].flatMap { kind in resource.attributes["resource_id"]?.stringValue.map { "\(kind)/\($0)" } }
            guard let deployment = resource.deploymentID ?? source.flatMap({ owners[$0] }),
                let present = intervals["\(resource.kind)/\(resource.providerID)"]
            else { continue }
            let size: Decimal? =
                switch resource.attributes["size_gigabytes"] {
                case .string(let text): MoneyRounding.decimal(text)
                case .int(let value): Decimal(value)
                case .double(let value): Decimal(string: "\(value)")
                default: nil
                }
            byDeployment[deployment, default: []].append(
                MeteredResource(
                    kind: resource.kind, providerID: resource.providerID, name: resource.name, sizeSlug: resource.sizeSlug,
                    deploymentID: deployment, intervals: present, providerHourlyPrice: resource.hourlyPrice, sizeGigabytes: size,
                    backups: resource.kind == "droplet" && resource.attributes["backups"] == .bool(true)))
        }
        return Usage(byDeployment: byDeployment)
    }

    func resources(of deployments: [Deployment]) -> [MeteredResource] { deployments.flatMap { byDeployment[$0.id] ?? [] } }
}
