import Foundation
import SagaEngine

extension StepContext {
    /// An input, or else the `desired_<name>` context value a planning step wrote (a `reconcile`
    /// saga re-creating a droplet from its desired state runs the provisioning steps this way).
    func desiredInput(_ name: String) -> String? {
        input(name) ?? contextString("desired_\(name)")
    }

    /// A required string input (or `desired_<name>` context value), or a permanent failure naming it.
    func requiredInput(_ name: String) throws -> String {
        guard let value = desiredInput(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw CloudStepError(.badInput, "input '\(name)' is missing")
        }
        return value
    }

    /// A required integer id input given as a string or a number (DigitalOcean's numeric ids).
    func requiredID(_ name: String) throws -> Int {
        let text = inputs[name]?.intValue.map(String.init) ?? input(name) ?? ""
        guard let id = Int(text.trimmingCharacters(in: .whitespaces)), id > 0 else {
            throw CloudStepError(.badInput, "input '\(name)' must be a DigitalOcean numeric id, got '\(text)'")
        }
        return id
    }

    /// An integer value from the context.
    func contextInt(_ key: String) -> Int? { context[key]?.intValue }

    /// A string value from the context.
    func contextString(_ key: String) -> String? { context[key]?.stringValue }

    /// A date stored in the context as seconds since 1970.
    func contextDate(_ key: String) -> Date? { context[key]?.doubleValue.map { Date(timeIntervalSince1970: $0) } }

    /// The saga's tag on every droplet it creates: `arcadia-saga-<first 8 of the saga id>`.
    var sagaTag: String { "arcadia-saga-\(shortSagaID)" }
}

extension Date {
    /// The date as a context value (seconds since 1970).
    var contextValue: JSONValue { .double(timeIntervalSince1970) }
}

/// Tags every droplet Arcadia creates carries.
public enum CloudTags {
    /// Marks a resource Arcadia manages; one without desired state is an orphan.
    public static let managed = "managed-by-arcadia-cloud"

    /// The tag that puts a droplet in a deployment.
    public static func deployment(_ id: String) -> String { "deployment:\(id)" }

    /// The saga id prefix from an `arcadia-saga-…` tag.
    public static func sagaPrefix(in tags: [String]) -> String? {
        tags.first { $0.hasPrefix("arcadia-saga-") }.map { String($0.dropFirst("arcadia-saga-".count)) }
    }
}
