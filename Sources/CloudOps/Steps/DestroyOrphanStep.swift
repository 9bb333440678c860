import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Destroys an orphan (a resource tagged `managed-by-arcadia-cloud` without desired state) after
/// checking with DigitalOcean that it still carries the tag, then marks it deleted in the
/// inventory. A 404 counts as done. Droplets, volumes, snapshots, firewalls and reserved IPs.
/// Terminal: the compensation only logs.
public struct DestroyOrphanStep: SagaStep {
    public let name = "destroy_orphan"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let kind = try context.requiredInput("kind")
            let id = try context.requiredInput("provider_id")
            if try await services.store.provisioned(kind: kind, providerID: id) != nil {
                throw CloudStepError(.badInput, "\(kind) \(id) has desired state now: it is no orphan; not destroyed")
            }
            do {
                let tags = try await currentTags(client, kind: kind, id: id)
                guard tags.contains(CloudTags.managed) else {
                    throw CloudStepError(.badInput, "\(kind) \(id) no longer carries \(CloudTags.managed): not Arcadia's to destroy")
                }
                switch kind {
                case ResourceKind.droplet:
                    try await DropletTeardown.destroy(Int(id) ?? -1, client: client, context: context)
                case "volume": try await client.deleteVolume(id: id)
                case "snapshot", "volume_snapshot": try await client.deleteSnapshot(id: id)
                case "firewall": try await client.deleteFirewall(id: id)
                default: throw CloudStepError(.badInput, "destroying a \(kind) is not supported by reconcile")
                }
            } catch let error as DigitalOceanError where error.isNotFound {
                context.logger.notice("orphan already gone", metadata: ["resource.kind": "\(kind)", "resource.id": "\(id)"])
            }
            try await services.store.markResourceDeleted(kind: kind, providerID: id, at: context.now)
            return .done(["destroyed_orphan": .string("\(kind)/\(id)")])
        }
    }

    private func currentTags(_ client: DigitalOceanClient, kind: String, id: String) async throws -> [String] {
        switch kind {
        case ResourceKind.droplet: return try await client.droplet(id: Int(id) ?? -1).tags
        case "volume": return try await client.volume(id: id).tags ?? []
        case "snapshot", "volume_snapshot": return try await client.snapshot(id: id).tags ?? []
        case "firewall": return try await client.firewall(id: id).tags
        default: throw CloudStepError(.badInput, "destroying a \(kind) is not supported by reconcile (droplet, volume, snapshot, firewall)")
        }
    }

    public func compensate(_ context: StepContext) async throws {
        context.logger.notice("destroy_orphan cannot be undone; nothing to compensate")
    }
}
