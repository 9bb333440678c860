public import SagaEngine

/// A request to start a saga (`POST /api/v1/sagas`, `arcadia saga start`).
package struct SagaStartRequest: Sendable, Hashable {
    package var template: String
    package var inputs: [String: JSONValue]
    package var idempotencyKey: String?
    package var lockKeys: [String]

    package init(template: String, inputs: [String: JSONValue] = [:], idempotencyKey: String? = nil, lockKeys: [String] = []) {
        self.template = template
        self.inputs = inputs
        self.idempotencyKey = idempotencyKey
        self.lockKeys = lockKeys
    }
}
