import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Destroys a droplet (404 counts as done), confirms it is gone, marks its inventory row deleted
/// and drops its desired state. Terminal: a destroyed droplet cannot be brought back, so the
/// compensation only logs.
public struct DestroyDropletStep: SagaStep {
    public let name = "destroy_droplet"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let id = try context.contextInt("droplet_id") ?? context.requiredID("droplet_provider_id")
            try await DropletTeardown.destroy(id, client: client, context: context)
            try await services.store.markResourceDeleted(kind: ResourceKind.droplet, providerID: String(id), at: context.now)
            try await services.store.removeProvisioned(kind: ResourceKind.droplet, providerID: String(id))
            return .done(["destroyed_droplet_id": .int(id)])
        }
    }

    public func compensate(_ context: StepContext) async throws {
        context.logger.notice("destroy_droplet cannot be undone; nothing to compensate")
    }
}
