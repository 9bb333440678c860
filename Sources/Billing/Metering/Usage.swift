import CloudOps
import Foundation
import SagaEngine

/// The inventory of one period as billing reads it: every resource that belongs to a deployment
/// and existed in the period, with its presence intervals (two queries, whatever the size).
struct Usage: Sendable {
    let byDeployment: [String: [MeteredResource]]

    static func load(inventory: any InventoryStore, period: BillingPeriod) async throws -> Usage {
        let intervals = Dictionary(
            grouping: try await inventory.presence(kind: nil, providerID: nil, from: period.start, to: period.end),
            by: { "\($0.kind)/\($0.providerID)" })
        var byDeployment: [String: [MeteredResource]] = [:]
        for resource in try await inventory.resources(kind: nil, includeDeleted: true) {
            guard let deployment = resource.deploymentID, let present = intervals["\(resource.kind)/\(resource.providerID)"] else { continue }
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
