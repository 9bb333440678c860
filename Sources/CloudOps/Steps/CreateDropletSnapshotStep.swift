import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Snapshots a droplet under the deterministic name `arcadia-snap-<droplet>-<first 8 of saga id>`.
///
/// Adopts a snapshot already in the context or already on DigitalOcean under that name; posts the
/// snapshot action once (see ``CreateIntent``; an earlier run's action is found in the droplet's
/// action list); waits for the action durably; then looks for the snapshot, which shows in the
/// droplet's listing only seconds after the action completes, with a bounded durable retry
/// (the seed: 12 × 5 s). Records `snapshot_id` and `snapshot_name`. Compensation deletes it
/// (404 counts as done).
public struct CreateDropletSnapshotStep: SagaStep {
    public let name = "create_droplet_snapshot"
    let services: CloudServices
    private let intent = CreateIntent(key: "snapshot_create")

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(120) }

    /// The snapshot's name for a droplet in a saga.
    public static func snapshotName(droplet: Int, context: StepContext) -> String { "arcadia-snap-\(droplet)-\(context.shortSagaID)" }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let droplet = try context.requiredID("droplet_provider_id")
            let name = Self.snapshotName(droplet: droplet, context: context)
            if let id = context.contextInt("snapshot_id") { return .done(["snapshot_id": .int(id), "snapshot_name": .string(name)]) }
            if let found = try await listed(name, droplet: droplet, client: client) {
                return .done(["snapshot_id": .int(found.id), "snapshot_name": .string(name)])
            }
            let configuration = services.configuration
            if let actionID = context.contextInt("snapshot_action_id") {
                let action = try await client.dropletAction(dropletID: droplet, actionID: actionID)
                if action.isErrored { throw CloudStepError(.actionErrored, "snapshot action \(actionID) of droplet \(droplet) errored") }
                if action.isInProgress {
                    guard context.polls < configuration.actionPollBudget else {
                        throw CloudStepError(.budgetExhausted, "snapshot action \(actionID) still in progress after \(context.polls) looks")
                    }
                    return .pollAgain(
                        after: configuration.actionPollInterval, waitingFor: "snapshot action \(actionID) of droplet \(droplet) to complete")
                }
                // Completed, but not listed yet (DigitalOcean's listing lags the action).
                let looks = context.contextInt("snapshot_lookups") ?? 0
                guard looks < configuration.snapshotLookupBudget else {
                    throw CloudStepError(
                        .notFound,
                        "snapshot \(name) not in droplet \(droplet)'s listing \(looks) looks after its action completed")
                }
                return .pollAgain(
                    after: configuration.snapshotLookupInterval, outputs: ["snapshot_lookups": .int(looks + 1)],
                    waitingFor:
                        "snapshot \(name) to show in droplet \(droplet)'s listing (look \(looks + 1) of \(configuration.snapshotLookupBudget))")
            }
            switch intent.state(context) {
            case .none:
                return intent.record(context, what: "snapshot droplet \(droplet)")
            case .unknown(let since):
                // An earlier run may have posted the action: it is in the droplet's action list.
                if let action = try await snapshotAction(droplet: droplet, since: since, client: client) {
                    return .pollAgain(
                        after: .zero, outputs: ["snapshot_action_id": .int(action.id), "snapshot_name": .string(name)],
                        waitingFor: "adopting snapshot action \(action.id) an earlier run posted")
                }
                return intent.record(context, what: "snapshot droplet \(droplet)")
            case .planned:
                let action = try await client.snapshotDroplet(id: droplet, name: name)
                return .pollAgain(
                    after: configuration.actionPollInterval, outputs: ["snapshot_action_id": .int(action.id), "snapshot_name": .string(name)],
                    waitingFor: "snapshot action \(action.id) of droplet \(droplet) to complete")
            }
        }
    }

    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            let droplet = try context.requiredID("droplet_provider_id")
            let name = Self.snapshotName(droplet: droplet, context: context)
            var ids = Set<String>()
            if let id = context.contextInt("snapshot_id") { ids.insert(String(id)) }
            // Found by name among all droplet snapshots: works after the droplet is gone too.
            for snapshot in try await client.snapshots(resourceType: "droplet").collect() where snapshot.name == name { ids.insert(snapshot.id) }
            if ids.isEmpty, context.contextInt("snapshot_action_id") == nil, let since = context.contextDate("snapshot_create_intent_at"),
                // (The droplet may be gone by now: its action list then answers 404.)
                let action = (try? await snapshotAction(droplet: droplet, since: since, client: client)) ?? nil,
                action.isInProgress || Self.recentlyCompleted(action, context: context, within: services.configuration)
            {
                // An earlier run posted the action and died before recording it: wait for its snapshot.
                throw StepFailure.retryable(
                    "snapshot action \(action.id) of droplet \(droplet) was posted by an earlier run; waiting for its snapshot to delete it",
                    after: services.configuration.snapshotLookupInterval)
            }
            if ids.isEmpty, let actionID = context.contextInt("snapshot_action_id") {
                // Its action may still run, or its snapshot not be listed yet.
                let action = try? await client.dropletAction(dropletID: droplet, actionID: actionID)
                if action?.isErrored != true {
                    let looks = context.contextInt("snapshot_lookups") ?? 0
                    if action?.isInProgress == true || looks < services.configuration.snapshotLookupBudget {
                        throw StepFailure.retryable(
                            "snapshot \(name) is not listed yet; looking again to delete it", after: services.configuration.snapshotLookupInterval)
                    }
                }
            }
            for id in ids.sorted() {
                do {
                    try await client.deleteSnapshot(id: id)
                    context.logger.notice("deleted snapshot", metadata: ["snapshot.id": "\(id)"])
                } catch let error as DigitalOceanError where error.isNotFound {
                    continue
                }
            }
        }
    }

    private func listed(_ name: String, droplet: Int, client: DigitalOceanClient) async throws -> DropletSnapshot? {
        do {
            return try await client.dropletSnapshots(dropletID: droplet).collect().first { $0.name == name && $0.type == "snapshot" }
        } catch let error as DigitalOceanError where error.isNotFound {
            throw CloudStepError(.notFound, "droplet \(droplet) does not exist")
        }
    }

    /// Completed so recently that its snapshot may not be listed yet.
    private static func recentlyCompleted(_ action: Action, context: StepContext, within configuration: CloudConfiguration) -> Bool {
        guard let completed = action.completedAt else { return true }
        let lag = configuration.snapshotLookupInterval.seconds * Double(configuration.snapshotLookupBudget)
        return context.now.timeIntervalSince(completed) < lag
    }

    private func snapshotAction(droplet: Int, since: Date, client: DigitalOceanClient) async throws -> Action? {
        try await client.dropletActions(dropletID: droplet).collect()
            .filter { $0.type == "snapshot" && !$0.isErrored && ($0.startedAt ?? .distantPast) >= since.addingTimeInterval(-5) }
            .max { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }
    }
}
