import DigitalOcean
import Foundation
import SagaEngine

/// Waits, durably, until the droplet is `active` with its networks set, within
/// ``CloudConfiguration/activePollBudget`` looks (the saga is parked between looks); tolerates
/// the 404s DigitalOcean answers right after a create. Records the public and private IPv4.
public struct WaitDropletActiveStep: SagaStep {
    public let name = "wait_droplet_active"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var hasCompensation: Bool { false }
    /// Each look is short, but a worker that dies mid-look counts as an attempt: a wait of minutes
    /// gets the same crash budget as the steps that create.
    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(120) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            guard let id = context.contextInt("droplet_id") else {
                throw CloudStepError(.badInput, "no droplet_id in the saga context: create_droplet must run first")
            }
            let budget = services.configuration.activePollBudget
            let interval = services.configuration.activePollInterval
            let look = context.polls + 1
            let waiting: String
            do {
                let droplet = try await client.droplet(id: id)
                if droplet.status == "active", let ip = droplet.publicIPv4 {
                    var outputs: [String: JSONValue] = ["public_ipv4": .string(ip), "droplet_status": .string(droplet.status)]
                    if let privateIP = droplet.networks.v4.first(where: { $0.type == "private" })?.ipAddress {
                        outputs["private_ipv4"] = .string(privateIP)
                    }
                    if let v6 = droplet.networks.v6.first(where: { $0.type == "public" })?.ipAddress { outputs["public_ipv6"] = .string(v6) }
                    return .done(outputs)
                }
                if droplet.status == "archive" {
                    throw CloudStepError(.actionErrored, "droplet \(id) is archived, not becoming active")
                }
                waiting = "droplet \(id) to become active (status \(droplet.status), look \(look) of \(budget))"
            } catch let error as DigitalOceanError where error.isNotFound {
                waiting = "droplet \(id) to be visible (DigitalOcean answers 404 right after a create; look \(look) of \(budget))"
            }
            // A create action that errored never makes the droplet active: fail now, not after the budget.
            if let actionID = context.contextInt("droplet_create_action_id"), try await client.action(id: actionID).isErrored {
                throw CloudStepError(.actionErrored, "the create action \(actionID) of droplet \(id) errored")
            }
            guard look < budget else {
                throw CloudStepError(
                    .budgetExhausted, "droplet \(id) did not become active within \(budget) looks \(Int(interval.seconds)) s apart")
            }
            return .pollAgain(after: interval, waitingFor: waiting)
        }
    }
}
