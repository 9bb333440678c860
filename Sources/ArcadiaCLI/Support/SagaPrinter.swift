import ArcadiaServer
import Foundation
import SagaEngine

/// Human-readable rendering of sagas for the terminal, from the facade's ``SagaJSON`` (the same
/// on the database and through the API).
enum SagaPrinter {
    static func short(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return ISO8601Text.string(date)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func table(_ sagas: [SagaJSON]) -> String {
        guard !sagas.isEmpty else { return "no sagas" }
        var lines = [
            pad("ID", 37) + pad("TEMPLATE", 18) + pad("STATUS", 14) + pad("STEP", 8) + pad("CREATED", 26) + "ERROR"
        ]
        for saga in sagas {
            lines.append(
                pad(saga.id, 37) + pad(saga.template, 18) + pad(saga.status, 14)
                    + pad("\(saga.currentStep + 1)/\(saga.stepNames.count)", 8) + pad(time(saga.createdAt), 26)
                    + (saga.error.map { String($0.prefix(60)) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    static func detail(_ saga: SagaJSON) -> String {
        var lines = [
            "saga      \(saga.id)",
            "template  \(saga.template) (\(saga.kind))",
            "status    \(saga.status)\(saga.cancelRequested ? " (cancel requested)" : "")",
            "step      \(saga.currentStep) of \(saga.stepNames.count)",
            "inputs    \(JSONValue.object(saga.inputs))",
            "context   \(JSONValue.object(saga.context))",
            "created   \(time(saga.createdAt))",
            "finished  \(time(saga.finishedAt))",
        ]
        if let error = saga.error { lines.append("error     \(error)") }
        if !saga.lockKeys.isEmpty { lines.append("locks     \(saga.lockKeys.joined(separator: ", "))") }
        for blocker in saga.blockedBy ?? [] {
            lines.append("waits for \(blocker.key): held by saga \(blocker.sagaId) (\(blocker.template), \(blocker.status))")
        }
        if let key = saga.idempotencyKey { lines.append("idem key  \(key)") }
        if let owner = saga.leaseOwner { lines.append("lease     \(owner) until \(time(saga.runAt))") }
        lines.append("")
        lines.append(pad("#", 5) + pad("STEP", 22) + pad("STATUS", 22) + pad("ATTEMPTS", 10) + "ERROR")
        let byIndex = Dictionary((saga.steps ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, name) in saga.stepNames.enumerated() {
            let row = byIndex[index]
            var attempts = row.map { "\($0.attempts)" } ?? "-"
            if let row, row.compensationAttempts > 0 { attempts += "+\(row.compensationAttempts)c" }
            lines.append(
                pad("\(index)", 5) + pad(name, 22) + pad(row?.status ?? "not started", 22) + pad(attempts, 10)
                    + (row?.error.map { String($0.prefix(80)) } ?? ""))
        }
        lines.append("")
        lines.append("events:")
        for event in saga.events ?? [] { lines.append("  " + self.event(event, stepNames: saga.stepNames)) }
        return lines.joined(separator: "\n")
    }

    /// One event of the log: its time, kind, step (with its name when known) and detail.
    static func event(_ event: SagaJSON.Event, stepNames: [String]) -> String {
        var step = ""
        if let index = event.step { step = stepNames.indices.contains(index) ? " [\(index) \(stepNames[index])]" : " [\(index)]" }
        return "\(time(event.at))  \(event.kind)\(step)\(event.detail.map { "  \($0)" } ?? "")"
    }
}
