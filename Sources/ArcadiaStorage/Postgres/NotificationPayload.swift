import Foundation
import SagaEngine

/// The text of a ``StoreNotification`` on the PostgreSQL NOTIFY channel (payloads must stay
/// under 8,000 bytes).
enum NotificationPayload {
    /// Delivered sagas larger than this travel by id (the worker reads them).
    static let maximumBytes = 7_900

    private struct Delivered: Codable {
        var saga: SagaRecord
        var attempts: Int
        var polls: Int
    }

    static func encode(_ notification: StoreNotification) -> String {
        switch notification {
        case .workAvailable:
            return "w"
        case .due(let date):
            return "d:\(date.timeIntervalSince1970)"
        case .deliver(let delivery):
            let worker = delivery.workerID
            guard let claimed = delivery.claimed else { return "w" }
            if let json = try? JSONValue.encodeToString(Delivered(saga: claimed.saga, attempts: claimed.attempts, polls: claimed.polls)) {
                let text = "s:\(worker)\n\(json)"
                if text.utf8.count <= maximumBytes { return text }
            }
            return "S:\(worker)\n\(claimed.saga.id.uuidString.lowercased())"
        case .deliverByID(let worker, let id):
            return "S:\(worker)\n\(id.uuidString.lowercased())"
        case .cancelRequested(let id):
            return "c:\(id.uuidString.lowercased())"
        case .sagaFinished(let id, let status):
            return "f:\(id.uuidString.lowercased()):\(status.rawValue)"
        }
    }

    /// The notification a payload carries; unknown payloads (a newer Arcadia) mean "look for work".
    static func decode(_ payload: String) -> StoreNotification {
        let kind = payload.prefix(2)
        let body = payload.dropFirst(2)
        switch kind {
        case "d:":
            if let seconds = Double(body) { return .due(Date(timeIntervalSince1970: seconds)) }
        case "s:":
            if let newline = body.firstIndex(of: "\n") {
                let json = String(body[body.index(after: newline)...])
                return .deliver(
                    Delivery(workerID: String(body[..<newline]), text: json) {
                        guard let delivered = try? JSONDecoder().decode(Delivered.self, from: Data(json.utf8)) else { return nil }
                        return ClaimedSaga(saga: delivered.saga, attempts: delivered.attempts, polls: delivered.polls)
                    })
            }
        case "S:":
            if let newline = body.firstIndex(of: "\n"), let id = UUID(uuidString: String(body[body.index(after: newline)...])) {
                return .deliverByID(workerID: String(body[..<newline]), sagaID: id)
            }
        case "c:":
            if let id = UUID(uuidString: String(body)) { return .cancelRequested(id) }
        case "f:":
            let parts = body.split(separator: ":")
            if parts.count == 2, let id = UUID(uuidString: String(parts[0])), let status = SagaStatus(rawValue: String(parts[1])) {
                return .sagaFinished(id, status)
            }
        default:
            break
        }
        return .workAvailable
    }
}
