import DigitalOcean
import Foundation
import SagaEngine

/// Puts the new droplet in the inventory (`cloud_resources`) at once, not at the next sync, and
/// records what was asked for as its desired state (`cloud_provisioned`: size, region, image,
/// tags, with the saga). Compensation drops the desired state and marks the row deleted, keeping
/// its presence (the droplet existed, and DigitalOcean charged for it) closed now; the droplet
/// itself is destroyed by `create_droplet`'s compensation.
public struct RegisterDropletStep: SagaStep {
    public let name = "register_droplet"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            guard let id = context.contextInt("droplet_id") else {
                throw CloudStepError(.badInput, "no droplet_id in the saga context: create_droplet must run first")
            }
            let droplet = try await client.droplet(id: id)
            let deployment = context.desiredInput("deployment_id").flatMap { $0.isEmpty ? nil : $0 }
            let resource = CloudResource.droplet(droplet, sagaID: context.sagaID, deploymentID: deployment, seenAt: context.now)
            try await services.store.upsertResource(resource)
            let request = try CreateDropletStep(services: services).request(context)
            let image: JSONValue = context.desiredInput("image").map { .string($0) } ?? .null
            try await services.store.putProvisioned(
                ProvisionedResource(
                    kind: ResourceKind.droplet, providerID: String(id),
                    spec: [
                        "name": .string(droplet.name), "size_slug": .string(request.size), "region": .string(request.region ?? ""), "image": image,
                        "image_id": .int(droplet.image.id), "tags": .array((request.tags ?? []).map { .string($0) }),
                        "ssh_keys": .array((request.sshKeys ?? []).map { .string($0) }),
                    ],
                    sagaID: context.sagaID, deploymentID: deployment, createdAt: context.now, updatedAt: context.now))
            return .done(["registered_droplet_id": .int(id)])
        }
    }

    public func compensate(_ context: StepContext) async throws {
        guard let id = context.contextInt("droplet_id") else { return }
        try await services.store.removeProvisioned(kind: ResourceKind.droplet, providerID: String(id))
        try await services.store.markResourceDeleted(kind: ResourceKind.droplet, providerID: String(id), at: context.now)
    }
}

extension CloudResource {
    /// The inventory row of a droplet as DigitalOcean shows it (the same row whether a step
    /// registers it or a sync lists it, so that a sync after a registration finds it unchanged).
    public static func droplet(_ droplet: Droplet, sagaID: UUID?, deploymentID: String?, seenAt: Date) -> CloudResource {
        var attributes: [String: JSONValue] = [
            "memory_mb": .int(droplet.memory), "vcpus": .int(droplet.vcpus), "disk_gb": .int(droplet.disk),
            "image_id": .int(droplet.image.id),
        ]
        if let slug = droplet.image.slug { attributes["image_slug"] = .string(slug) }
        if let ip = droplet.publicIPv4 { attributes["public_ipv4"] = .string(ip) }
        if let ip = droplet.networks.v4.first(where: { $0.type == "private" })?.ipAddress { attributes["private_ipv4"] = .string(ip) }
        if droplet.features.contains("backups") { attributes["backups"] = .bool(true) }
        if droplet.sizeSlug.hasPrefix("gpu-") { attributes["gpu"] = .bool(true) }
        var resource = CloudResource.listed(
            ResourceKind.droplet, id: String(droplet.id), name: droplet.name, region: droplet.region.slug, size: droplet.sizeSlug,
            status: droplet.status, tags: droplet.tags, attributes: attributes, createdAt: droplet.createdAt, price: droplet.size.priceHourly,
            seenAt: seenAt)
        resource.creatingSagaID = sagaID
        if let deploymentID { resource.deploymentID = deploymentID }
        return resource
    }

    /// Where presence starts for a row first seen now: DigitalOcean's `created_at` when the
    /// listing gave one (and it is not in the future), else when it was first seen.
    public var presenceStart: Date {
        let created = attributes["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }
        return min(created ?? firstSeenAt, firstSeenAt)
    }
}
