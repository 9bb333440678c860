import CloudOps
import Foundation
import SagaEngine

/// What the dashboard's templates show, computed from the facade's objects: times, the step
/// timeline's bars, table rows.
enum DashboardViews {
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return ISO8601Text.wholeSeconds(date)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<1: "\(Int((seconds * 1000).rounded())) ms"
        case ..<120: String(format: "%.1f s", seconds)
        default: String(format: "%.1f min", seconds / 60)
        }
    }

    static func sagaRow(_ saga: SagaJSON) -> [String: Any] {
        [
            "id": saga.id, "shortID": String(saga.id.prefix(8)), "template": saga.template, "status": saga.status,
            "step": "\(min(saga.currentStep + 1, saga.stepNames.count))/\(saga.stepNames.count)", "created": time(saga.createdAt),
            "error": saga.error.map { String($0.prefix(80)) } ?? "",
        ]
    }

    /// The saga page: its fields, the operator actions its state allows, the step timeline (each
    /// bar placed and scaled by the step's start and duration against the whole saga) and the
    /// event log.
    static func sagaPage(_ saga: SagaJSON, now: Date) -> [String: Any] {
        let status = SagaStatus(rawValue: saga.status)
        let terminal = status?.isTerminal == true
        let steps = saga.steps ?? []
        let start = saga.createdAt
        let end = saga.finishedAt ?? steps.compactMap { $0.compensatedAt ?? $0.finishedAt }.max().map { max($0, now) } ?? now
        let total = max(end.timeIntervalSince(start), 0.001)
        let byIndex = Dictionary(steps.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let rows: [[String: Any]] = saga.stepNames.enumerated().map { index, name in
            guard let step = byIndex[index] else {
                return ["index": index, "name": name, "status": "not started", "offset": 0, "width": 0]
            }
            let began = step.startedAt ?? start
            let ended = step.compensatedAt ?? step.finishedAt ?? (terminal ? end : now)
            let offset = min(max(began.timeIntervalSince(start) / total * 100, 0), 100)
            let width = min(max(ended.timeIntervalSince(began) / total * 100, 0.5), 100 - offset)
            var compensation = ""
            if step.compensationAttempts > 0 { compensation = "compensated in \(step.compensationAttempts) attempt(s)" }
            return [
                "index": index, "name": name, "status": step.status, "attempts": step.attempts, "compensation": compensation,
                "offset": String(format: "%.2f", offset), "width": String(format: "%.2f", width),
                "duration": step.startedAt == nil ? "" : duration(ended.timeIntervalSince(began)), "error": step.error ?? "",
            ]
        }
        var actions: [[String: Any]] = []
        if !terminal, !saga.cancelRequested { actions.append(["action": "cancel", "label": "Cancel (compensate)"]) }
        if !terminal { actions.append(["action": "kill", "label": "Kill (no compensation)"]) }
        if status == .failed { actions.append(["action": "retry", "label": "Retry compensation"]) }
        if saga.events?.last?.kind == "saga_held" { actions.append(["action": "resume", "label": "Resume"]) }
        return [
            "id": saga.id, "template": saga.template, "kind": saga.kind, "status": saga.status, "terminal": terminal,
            "step": "\(min(saga.currentStep + 1, saga.stepNames.count)) of \(saga.stepNames.count)", "created": time(saga.createdAt),
            "finished": time(saga.finishedAt), "error": saga.error ?? "", "cancelRequested": saga.cancelRequested,
            "idempotencyKey": saga.idempotencyKey ?? "", "locks": saga.lockKeys.joined(separator: ", "),
            "blockedBy": (saga.blockedBy ?? []).map { ["key": $0.key, "sagaId": $0.sagaId, "template": $0.template, "status": $0.status] },
            "actions": actions.map { $0.merging(["id": saga.id]) { first, _ in first } }, "steps": rows,
            "inputs": SagaJSON.render(saga.inputs), "context": SagaJSON.render(saga.context),
            "events": (saga.events ?? []).map { event -> [String: Any] in
                let step = event.step.map { saga.stepNames.indices.contains($0) ? "\($0). \(saga.stepNames[$0])" : "\($0)" } ?? ""
                return ["at": time(event.at), "kind": event.kind, "step": step, "detail": event.detail ?? ""]
            },
        ]
    }

    static func resourceRow(_ resource: CloudResource) -> [String: Any] {
        [
            "kind": resource.kind, "name": resource.name, "providerID": resource.providerID, "region": resource.region ?? "",
            "size": resource.sizeSlug ?? "", "status": resource.deletedAt == nil ? resource.status ?? "" : "deleted",
            "managed": resource.managed ? "yes" : "no", "deployment": resource.deploymentID ?? "",
            "price": resource.hourlyPrice.map { "\($0)" } ?? "", "firstSeen": time(resource.firstSeenAt), "lastSeen": time(resource.lastSeenAt),
            "missed": resource.missedSyncs,
        ]
    }

    static func driftRow(_ item: DriftItem) -> [String: Any] {
        [
            "kind": item.kind, "name": item.name, "providerID": item.providerID, "deployment": item.deploymentID ?? "",
            "saga": item.saga as Any, "detail": item.detail,
            "changes": item.changes.map { ["field": $0.field, "desired": $0.desired, "actual": $0.actual] },
        ]
    }
}
