import Foundation

/// A saga delivered to a worker: inserted claimed for it by a starter in another process.
///
/// Every worker hears every delivery; only the addressed one needs the saga, so a received
/// delivery is decoded on demand.
package struct Delivery: Sendable, Hashable {
    /// The worker the saga was inserted claimed for.
    package let workerID: String
    private let text: String
    private let decode: @Sendable () -> ClaimedSaga?

    /// A delivery of a saga at hand (the sending side).
    package init(workerID: String, _ claimed: ClaimedSaga) {
        self.workerID = workerID
        self.text = claimed.saga.id.uuidString
        self.decode = { claimed }
    }

    /// A delivery received as `text`, decoded by `decode` when asked for.
    package init(workerID: String, text: String, decode: @escaping @Sendable () -> ClaimedSaga?) {
        self.workerID = workerID
        self.text = text
        self.decode = decode
    }

    /// The saga (nil when the received text cannot be read).
    package var claimed: ClaimedSaga? { decode() }

    package static func == (lhs: Delivery, rhs: Delivery) -> Bool { lhs.workerID == rhs.workerID && lhs.text == rhs.text }
    package func hash(into hasher: inout Hasher) {
        hasher.combine(workerID)
        hasher.combine(text)
    }
}
