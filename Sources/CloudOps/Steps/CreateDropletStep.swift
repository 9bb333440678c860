import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Creates a droplet tagged `arcadia-saga-<first 8 of the saga id>` and `managed-by-arcadia-cloud`
/// (and `deployment:<id>` with a `deployment_id` input).
///
/// Never creates twice: a re-run adopts the droplet in the context, then one found by the saga's
/// tag; a create whose outcome is unknown is resolved by looking the tag up (see ``CreateIntent``).
/// Compensation destroys every droplet carrying the saga's tag and confirms each is gone.
public struct CreateDropletStep: SagaStep {
    public let name = "create_droplet"
    let services: CloudServices
    private let intent = CreateIntent(key: "droplet_create")

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(120) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            if let id = context.contextInt("droplet_id") { return .done(["droplet_id": .int(id)]) }
            switch intent.state(context) {
            case .none:
                return intent.record(context, what: "create the droplet")
            case .unknown(let since):
                if let found = try await sagaDroplets(client, context).first {
                    context.logger.notice("adopting the droplet an earlier run created", metadata: ["droplet.id": "\(found.id)"])
                    return .done(outputs(found.id, name: found.name, adopted: true))
                }
                if CreateIntent.windowOpen(since: since, context: context, window: services.configuration.adoptWindow) {
                    return .pollAgain(
                        after: services.configuration.adoptLookupInterval,
                        waitingFor: "a droplet tagged \(context.sagaTag) to show in listings (an earlier create's outcome is unknown)")
                }
                // Looked long enough: the earlier create was not applied.
                return intent.record(context, what: "create the droplet")
            case .planned:
                let request = try self.request(context)
                let creation: DropletCreation
                do {
                    creation = try await client.createDroplet(request)
                } catch let error as DigitalOceanError where error.isRateLimited {
                    // Not applied: park until the window allows it, still the planned sender.
                    return intent.postpone(
                        context, after: error.retryAfter ?? .seconds(60), waitingFor: "DigitalOcean's rate limit to reset (\(error.operation))")
                }
                var outputs = outputs(creation.droplet.id, name: creation.droplet.name, adopted: false)
                if let action = creation.actionIDs.first { outputs["droplet_create_action_id"] = .int(action) }
                return .done(outputs)
            }
        }
    }

    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            var ids = Set(try await sagaDroplets(client, context).map(\.id))
            if let id = context.contextInt("droplet_id") { ids.insert(id) }
            // A create was planned (by this step's failed execution or an earlier one) and may have
            // been applied without being listed yet: look again until the adopt window closes.
            if ids.isEmpty, let since = intent.plannedAt(context),
                CreateIntent.windowOpen(since: since, context: context, window: services.configuration.adoptWindow)
            {
                // A create may have been applied and not be listed yet: look again later.
                throw StepFailure.retryable(
                    "a droplet tagged \(context.sagaTag) may still show up in listings; looking again",
                    after: services.configuration.adoptLookupInterval)
            }
            for id in ids.sorted() { try await DropletTeardown.destroy(id, client: client, context: context) }
        }
    }

    private func outputs(_ id: Int, name: String, adopted: Bool) -> [String: JSONValue] {
        ["droplet_id": .int(id), "droplet_name": .string(name), "droplet_adopted": .bool(adopted)]
    }

    /// Live droplets carrying the saga's tag.
    private func sagaDroplets(_ client: DigitalOceanClient, _ context: StepContext) async throws -> [Droplet] {
        try await client.droplets(tagName: context.sagaTag).collect().filter { $0.status != "archive" }
    }

    func request(_ context: StepContext) throws -> DropletCreateRequest {
        var tags = [context.sagaTag, CloudTags.managed]
        if let deployment = context.desiredInput("deployment_id"), !deployment.isEmpty { tags.append(CloudTags.deployment(deployment)) }
        let extra = context.inputs["tags"]?.arrayValue ?? context.context["desired_tags"]?.arrayValue ?? []
        for tag in extra.compactMap(\.stringValue) where !tags.contains(tag) { tags.append(tag) }
        let image = try context.requiredInput("image")
        return DropletCreateRequest(
            name: try context.requiredInput("name"), region: try context.requiredInput("region"), size: try context.requiredInput("size_slug"),
            image: Int(image).map { ImageReference.id($0) } ?? .slug(image),
            sshKeys: (context.inputs["ssh_keys"] ?? context.context["desired_ssh_keys"])?.arrayValue?.compactMap(\.stringValue), tags: tags)
    }
}
