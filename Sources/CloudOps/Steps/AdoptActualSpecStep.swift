import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Makes a changed droplet's actual spec (size, region, image, tags, read fresh from
/// DigitalOcean) its desired state, the spec version growing by one. Compensation puts the spec
/// the plan step kept back.
public struct AdoptActualSpecStep: SagaStep {
    public let name = "adopt_actual_spec"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let kind = try context.requiredInput("kind")
            let id = try context.requiredInput("provider_id")
            guard let prior = try await services.store.provisioned(kind: kind, providerID: id) else {
                throw CloudStepError(.notFound, "\(kind) \(id) has no desired state any more")
            }
            var spec = prior.spec
            if kind == ResourceKind.droplet {
                let droplet = try await services.provisioningClient().droplet(id: Int(id) ?? -1)
                spec["size_slug"] = .string(droplet.sizeSlug)
                spec["region"] = .string(droplet.region.slug)
                spec["image"] = .string(droplet.image.slug ?? String(droplet.image.id))
                spec["tags"] = .array(droplet.tags.map { .string($0) })
                try await services.store.upsertResource(
                    .droplet(droplet, sagaID: nil, deploymentID: prior.deploymentID, seenAt: context.now))
            } else if kind == ResourceKind.domainRecord, let row = try await liveRecord(prior) {
                spec["data"] = row.attributes["data"] ?? spec["data"]
                if spec["ttl"] != nil { spec["ttl"] = row.attributes["ttl"] ?? spec["ttl"] }
            } else {
                throw CloudStepError(.badInput, "adopting the actual spec of a \(kind) is not supported (droplet, domain_record)")
            }
            var adopted = prior
            adopted.spec = spec
            adopted.sagaID = context.sagaID
            adopted.updatedAt = context.now
            try await services.store.putProvisioned(adopted)
            return .done(["adopted_spec": .object(spec)])
        }
    }

    /// The live inventory record for a DNS record's desired state.
    private func liveRecord(_ prior: ProvisionedResource) async throws -> CloudResource? {
        try await services.store.resources(kind: ResourceKind.domainRecord, includeDeleted: false).first { row in
            ResourceKind.recordKey(
                domain: row.attributes["domain"]?.stringValue ?? "", type: row.attributes["type"]?.stringValue ?? "", name: row.name)
                == prior.providerID
        }
    }

    public func compensate(_ context: StepContext) async throws {
        guard let prior = context.context["reconcile_prior_spec"]?.objectValue else { return }
        let kind = context.input("kind") ?? ""
        let id = context.input("provider_id") ?? ""
        guard var row = try await services.store.provisioned(kind: kind, providerID: id), row.sagaID == context.sagaID else { return }
        row.spec = prior
        row.updatedAt = context.now
        try await services.store.putProvisioned(row)
    }
}
