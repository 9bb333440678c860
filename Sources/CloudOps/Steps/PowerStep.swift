import DigitalOcean
import Foundation
import SagaEngine

/// Powers a droplet (`droplet_provider_id`, or the saga's `droplet_id`) or every droplet of a
/// deployment (tagged `deployment:<id>`) off or on and waits, durably, for the actions. Idempotent: a droplet already in the wanted state ("already powered off")
/// counts as done; an action posted by an earlier run is found again by its id in the context, or
/// posting again meets DigitalOcean's "pending event" (retried) and then "already …" (done). For
/// a deployment, a droplet that is gone by the time its action is posted or looked at (DigitalOcean's
/// listings show deleted droplets for a while) has nothing to power and is skipped.
///
/// Compensation powers back what this step changed.
public struct PowerStep: SagaStep {
    /// What the step powers.
    public enum Scope: String, Sendable {
        /// One droplet: `power_off_droplet`, `power_on_droplet`.
        case droplet
        /// Every droplet of a deployment: `power_off_deployment`, `power_on_deployment`.
        case deployment
    }

    public let name: String
    let services: CloudServices
    let powerOn: Bool
    let scope: Scope

    /// Powers off or on what `scope` names.
    public init(services: CloudServices, powerOn: Bool, scope: Scope) {
        self.services = services
        self.powerOn = powerOn
        self.scope = scope
        self.name = (powerOn ? "power_on_" : "power_off_") + scope.rawValue
    }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(300) }

    private var actionsKey: String { powerOn ? "power_on_actions" : "power_off_actions" }
    private var changedKey: String { powerOn ? "powered_on" : "powered_off" }
    private var plannedKey: String { powerOn ? "power_on_planned" : "power_off_planned" }
    private var wanted: String { powerOn ? "active" : "off" }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let target = scope == .deployment ? "deployment \(try context.requiredInput("deployment_id"))" : "droplet"
            var actions = context.context[actionsKey]?.objectValue ?? [:]
            var changed = Set(context.context[changedKey]?.arrayValue?.compactMap(\.intValue) ?? [])
            var inProgress: [Int] = []
            for (droplet, value) in actions {
                guard let actionID = value.intValue, let dropletID = Int(droplet) else { continue }
                let action: Action
                do {
                    action = try await client.dropletAction(dropletID: dropletID, actionID: actionID)
                } catch let error as DigitalOceanError where error.isNotFound && scope == .deployment {
                    continue
                }
                if action.isErrored { throw CloudStepError(.actionErrored, "\(action.type ?? "action") of droplet \(dropletID) errored") }
                if action.isInProgress { inProgress.append(actionID) }
            }
            // The droplets to change are recorded before any action is posted, so that a run that
            // dies (or fails) after posting still has its compensation power them back.
            guard let planned = context.context[plannedKey]?.arrayValue?.compactMap(\.intValue) else {
                let droplets = try await candidates(client, context).filter { $0.status != "archive" && $0.status != wanted }.map(\.id).sorted()
                return .pollAgain(
                    after: .zero, outputs: [plannedKey: .array(droplets.map { .int($0) })],
                    waitingFor: "nothing: the \(droplets.count) droplet(s) to power \(powerOn ? "on" : "off") are recorded")
            }
            if inProgress.isEmpty {
                for droplet in planned where actions[String(droplet)] == nil {
                    do {
                        let action = try await client.performDropletAction(dropletID: droplet, powerOn ? .powerOn : .powerOff)
                        actions[String(droplet)] = .int(action.id)
                        changed.insert(droplet)
                        inProgress.append(action.id)
                    } catch let error as DigitalOceanError where error.status == 422 && error.message.localizedCaseInsensitiveContains("already") {
                        continue
                    } catch let error as DigitalOceanError where error.isNotFound && scope == .deployment {
                        // Listed, but destroyed since: nothing to power.
                        actions[String(droplet)] = .string("gone")
                        continue
                    }
                }
            }
            let outputs: [String: JSONValue] = [
                actionsKey: .object(actions), changedKey: .array(changed.sorted().map { .int($0) }),
            ]
            guard inProgress.isEmpty else {
                guard context.polls < services.configuration.actionPollBudget else {
                    throw CloudStepError(.budgetExhausted, "power actions \(inProgress) still in progress after \(context.polls) looks")
                }
                return .pollAgain(
                    after: services.configuration.actionPollInterval, outputs: outputs,
                    waitingFor: "\(inProgress.count) power action(s) of \(target) to complete")
            }
            return .done(outputs)
        }
    }

    /// The droplets in scope as they are now.
    private func candidates(_ client: DigitalOceanClient, _ context: StepContext) async throws -> [Droplet] {
        switch scope {
        case .deployment:
            return try await client.droplets(tagName: CloudTags.deployment(try context.requiredInput("deployment_id"))).collect()
        case .droplet:
            let id = try context.contextInt("droplet_id") ?? context.requiredID("droplet_provider_id")
            do {
                return [try await client.droplet(id: id)]
            } catch let error as DigitalOceanError where error.isNotFound {
                throw CloudStepError(.notFound, "droplet \(id) does not exist")
            }
        }
    }

    /// Waits in memory (a compensation cannot park) for an action to leave `in-progress`, within
    /// the configured budget; cancellation stops the wait at once.
    private func waitForAction(_ action: Action, droplet: Int, client: DigitalOceanClient) async throws {
        var current = action
        var looks = 0
        while current.isInProgress {
            looks += 1
            guard looks <= services.configuration.actionPollBudget else {
                throw CloudStepError(.budgetExhausted, "\(action.type ?? "action") of droplet \(droplet) still in progress", retryable: true)
            }
            try await Task.sleep(for: services.configuration.actionPollInterval)
            current = try await client.dropletAction(dropletID: droplet, actionID: action.id)
        }
        if current.isErrored { throw CloudStepError(.actionErrored, "\(action.type ?? "action") of droplet \(droplet) errored", retryable: true) }
    }

    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            let planned = context.context[plannedKey]?.arrayValue?.compactMap(\.intValue) ?? []
            for id in Set(planned + (context.context[changedKey]?.arrayValue?.compactMap(\.intValue) ?? [])).sorted() {
                do {
                    let action = try await client.performDropletAction(dropletID: id, powerOn ? .powerOff : .powerOn)
                    try await waitForAction(action, droplet: id, client: client)
                } catch let error as DigitalOceanError
                    where error.isNotFound || (error.status == 422 && error.message.localizedCaseInsensitiveContains("already"))
                {
                    continue
                }
            }
        }
    }
}
