import Foundation
import SagaEngine

/// Human-readable rendering of sagas for the terminal.
enum SagaPrinter {
    static func short(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func table(_ sagas: [SagaRecord]) -> String {
        guard !sagas.isEmpty else { return "no sagas" }
        var lines = [
            pad("ID", 37) + pad("TEMPLATE", 18) + pad("STATUS", 14) + pad("STEP", 8) + pad("CREATED", 26) + "ERROR"
        ]
        for saga in sagas {
            lines.append(
                pad(short(saga.id), 37) + pad(saga.template, 18) + pad(saga.status.rawValue, 14)
                    + pad("\(saga.currentStep + 1)/\(saga.stepNames.count)", 8) + pad(time(saga.createdAt), 26)
                    + (saga.error.map { String($0.prefix(60)) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    static func detail(_ detail: SagaDetail) -> String {
        let saga = detail.saga
        var lines = [
            "saga      \(short(saga.id))",
            "template  \(saga.template) (\(saga.kind.rawValue))",
            "status    \(saga.status.rawValue)\(saga.cancelRequested ? " (cancel requested)" : "")",
            "step      \(saga.currentStep) of \(saga.stepNames.count)",
            "inputs    \(JSONValue.object(saga.inputs))",
            "context   \(JSONValue.object(saga.context))",
            "created   \(time(saga.createdAt))",
            "finished  \(time(saga.finishedAt))",
        ]
        if let error = saga.error { lines.append("error     \(error)") }
        if !saga.lockKeys.isEmpty { lines.append("locks     \(saga.lockKeys.joined(separator: ", "))") }
        for blocker in detail.blockedBy {
            lines.append("waits for \(blocker.key): held by saga \(short(blocker.sagaID)) (\(blocker.template), \(blocker.status.rawValue))")
        }
        if let key = saga.idempotencyKey { lines.append("idem key  \(key)") }
        if let owner = saga.leaseOwner { lines.append("lease     \(owner) until \(time(saga.runAt))") }
        lines.append("")
        lines.append(pad("#", 5) + pad("STEP", 22) + pad("STATUS", 22) + pad("ATTEMPTS", 10) + "ERROR")
        let byIndex = Dictionary(uniqueKeysWithValues: detail.steps.map { ($0.index, $0) })
        for (index, name) in saga.stepNames.enumerated() {
            let row = byIndex[index]
            var attempts = row.map { "\($0.attempts)" } ?? "-"
            if let row, row.compensationAttempts > 0 { attempts += "+\(row.compensationAttempts)c" }
            lines.append(
                pad("\(index)", 5) + pad(name, 22) + pad(row?.status.rawValue ?? "not started", 22) + pad(attempts, 10)
                    + (row?.error.map { String($0.prefix(80)) } ?? ""))
        }
        lines.append("")
        lines.append("events:")
        for event in detail.events {
            let step = event.stepIndex.map { " [\($0)]" } ?? ""
            lines.append("  \(time(event.at))  \(event.kind.rawValue)\(step)\(event.detail.map { "  \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
