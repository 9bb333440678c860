import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// First step of a `reconcile` saga: finds the drift item (`kind`, `provider_id`) in a fresh drift
/// report and checks the asked `action` fits it — `destroy` an orphan, `recreate` a missing
/// droplet, `adopt` a changed resource's actual spec. For `recreate` it writes the desired spec
/// into the context (`desired_name`, `desired_region`, …) for the provisioning steps that follow;
/// for `adopt` it keeps the spec being replaced, which the compensation puts back.
public struct PlanReconcileStep: SagaStep {
    public let name = "plan_reconcile"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) { try await plan(context) }
    }

    private func plan(_ context: StepContext) async throws -> StepOutcome {
        let kind = try context.requiredInput("kind")
        let providerID = try context.requiredInput("provider_id")
        let action = try context.requiredInput("action")
        let report = try await DriftDetector(
            store: services.store, now: context.now, orphanMinimumAge: services.configuration.orphanMinimumAge.seconds
        ).report()
        guard let (drift, item) = report.item(kind: kind, providerID: providerID) else {
            throw CloudStepError(
                .badInput, "\(kind) \(providerID) is not in the drift report (in sync, unknown, or not synced yet): nothing to reconcile")
        }
        let fits = ["orphaned": "destroy", "missing": "recreate", "changed": "adopt"][drift]
        guard fits == action else {
            throw CloudStepError(.badInput, "\(kind) \(providerID) is \(drift): its reconcile action is '\(fits ?? "none")', not '\(action)'")
        }
        var outputs: [String: JSONValue] = ["reconcile_drift": .string(drift), "reconcile_name": .string(item.name)]
        switch action {
        case "recreate":
            guard kind == ResourceKind.droplet, let spec = try await services.store.provisioned(kind: kind, providerID: providerID) else {
                throw CloudStepError(.badInput, "only a missing droplet can be re-created from its desired state, not a \(kind)")
            }
            // A deployment's droplet is re-created only under that deployment's lock, so an
            // offboarding (which forgets the deployment's droplets) cannot run beside it.
            let named = context.inputs["deployment_id"]?.stringValue ?? ""
            if let owner = spec.deploymentID, owner != named {
                throw CloudStepError(
                    .badInput,
                    "droplet \(providerID) belongs to deployment \(owner): re-create it with input deployment_id=\(owner), so that the saga holds the deployment's lock and no suspend, resume or offboarding of it runs at the same time"
                )
            }
            // The inventory may be wrong (missed listings): DigitalOcean must say it is gone.
            do {
                let droplet = try await services.provisioningClient().droplet(id: Int(providerID) ?? -1)
                throw CloudStepError(
                    .badInput,
                    "droplet \(providerID) still exists on DigitalOcean (status \(droplet.status)): not re-created; sync the inventory again")
            } catch let error as DigitalOceanError where error.isNotFound {
                // Gone: re-create it.
            }
            for field in ["name", "region", "image"] { outputs["desired_\(field)"] = spec.spec[field] ?? .null }
            outputs["desired_size_slug"] = spec.spec["size_slug"] ?? .null
            outputs["desired_deployment_id"] = spec.deploymentID.map { .string($0) } ?? .null
            outputs["desired_ssh_keys"] = spec.spec["ssh_keys"] ?? .array([])
            // The old saga's own tags are replaced by this saga's.
            let tags = (spec.spec["tags"]?.arrayValue ?? []).compactMap(\.stringValue).filter {
                !$0.hasPrefix("arcadia-saga-") && $0 != CloudTags.managed && !$0.hasPrefix("deployment:")
            }
            outputs["desired_tags"] = .array(tags.map { .string($0) })
        case "adopt":
            guard let spec = try await services.store.provisioned(kind: kind, providerID: providerID) else {
                throw CloudStepError(.badInput, "\(kind) \(providerID) has no desired state to replace")
            }
            outputs["reconcile_prior_spec"] = .object(spec.spec)
        default:
            break
        }
        return .done(outputs)
    }

    public func compensate(_ context: StepContext) async throws {}
}
