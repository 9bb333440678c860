import Foundation
import SagaEngine

/// Last step of a `reconcile` saga that re-created a missing droplet: the missing droplet's
/// desired state is dropped (the new droplet's was written by `register_droplet`) and its
/// inventory row stays marked deleted. Compensation puts the old desired state back.
public struct RetireReplacedDropletStep: SagaStep {
    public let name = "retire_replaced_droplet"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        let id = try context.requiredInput("provider_id")
        if let old = try await services.store.provisioned(kind: ResourceKind.droplet, providerID: id) {
            try await services.store.removeProvisioned(kind: ResourceKind.droplet, providerID: id)
            return .done(["retired_spec": .object(old.spec), "retired_saga": .string(old.sagaID.uuidString)])
        }
        return .done([:])
    }

    public func compensate(_ context: StepContext) async throws {
        guard let spec = context.context["retired_spec"]?.objectValue, let id = context.input("provider_id"),
            let saga = context.contextString("retired_saga").flatMap(UUID.init(uuidString:))
        else { return }
        try await services.store.putProvisioned(
            ProvisionedResource(
                kind: ResourceKind.droplet, providerID: id, spec: spec, sagaID: saga,
                deploymentID: context.contextString("desired_deployment_id"), createdAt: context.now, updatedAt: context.now))
    }
}
