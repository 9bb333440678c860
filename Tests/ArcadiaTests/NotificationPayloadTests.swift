import Foundation
import SagaEngine
import Testing

@testable import ArcadiaStorage

/// What travels on the PostgreSQL NOTIFY channels.
@Suite("Notification payloads")
struct NotificationPayloadTests {
    private static func saga(inputs: [String: JSONValue] = ["steps": 3]) -> SagaRecord {
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        return SagaRecord(
            id: UUID(), kind: .test, template: "test-echo", stepNames: ["echo", "echo"], inputs: inputs, context: [:], status: .running,
            currentStep: 0, cancelRequested: false, error: nil, deploymentID: "d-1", tenantID: nil, triggeredBy: nil, idempotencyKey: "k",
            lockKeys: [], runAt: now.addingTimeInterval(10), waitKind: nil, leaseOwner: "host:1:abc", fencingToken: 1, holdOnFailure: false,
            createdAt: now, updatedAt: now, finishedAt: nil)
    }

    @Test("every notification survives the round trip; a delivery is decoded only when asked for")
    func roundTrip() throws {
        let claimed = ClaimedSaga(saga: Self.saga(), attempts: 1, polls: 0)
        let id = UUID()
        for notification: StoreNotification in [
            .workAvailable, .due(Date(timeIntervalSince1970: 1_800_000_123.5)), .cancelRequested(id), .sagaFinished(id, .rolledBack),
            .deliverByID(workerID: "host:2:def", sagaID: id),
        ] {
            #expect(NotificationPayload.decode(NotificationPayload.encode(notification)) == notification)
        }
        let text = NotificationPayload.encode(.deliver(Delivery(workerID: "host:1:abc", claimed)))
        guard case .deliver(let delivery) = NotificationPayload.decode(text) else {
            Issue.record("not a delivery: \(text.prefix(40))")
            return
        }
        #expect(delivery.workerID == "host:1:abc")
        #expect(delivery.claimed == claimed)
    }

    @Test("a saga too large for a notification travels by id; an unknown payload means look for work")
    func largeAndUnknown() {
        let big = ClaimedSaga(saga: Self.saga(inputs: ["blob": .string(String(repeating: "x", count: 9_000))]), attempts: 1, polls: 0)
        let text = NotificationPayload.encode(.deliver(Delivery(workerID: "w", big)))
        #expect(text.utf8.count < 8_000)
        #expect(NotificationPayload.decode(text) == .deliverByID(workerID: "w", sagaID: big.saga.id))
        #expect(NotificationPayload.decode("z:from a newer arcadia") == .workAvailable)
    }

    @Test("channels are per schema and kind, stable across processes, and valid identifiers")
    func channels() {
        let configuration = PostgresSagaStore.Configuration(username: "u", database: "d", schema: "t_0123456789abcdef")
        let broadcast = configuration.channel(.broadcast)
        let deliveries = configuration.channel(.deliveries(workerID: "host:42:cafe"))
        #expect(broadcast == "arcadia_t_0123456789abcdef")
        #expect(configuration.channel(.finished) == broadcast + "_f")
        #expect(deliveries.hasPrefix(broadcast + "_d_"))
        #expect(deliveries == configuration.channel(.deliveries(workerID: "host:42:cafe")))
        #expect(deliveries != configuration.channel(.deliveries(workerID: "host:43:cafe")))
        let long = PostgresSagaStore.Configuration(username: "u", database: "d", schema: String(repeating: "s", count: 60))
        #expect(long.channel(.deliveries(workerID: "w")).utf8.count <= 63)
    }
}
