/// A named, ordered list of steps with declared, typed inputs.
///
/// The step list may depend on the inputs (`test-echo` has `steps` Echo steps); it is resolved
/// and pinned when a saga starts, so later template changes never affect running sagas.
public struct SagaTemplate: Sendable {
    /// What happens when a forward step fails for good.
    public enum FailurePolicy: String, Sendable, Hashable {
        /// Compensate from the failed step back to step 0 (the default).
        case compensate
        /// Stop as `failed` without compensating; an operator resumes from the failed step or
        /// cancels (which compensates).
        case holdForOperator = "hold_for_operator"
    }

    public var name: String
    public var kind: SagaKind
    public var summary: String
    public var inputs: [InputSpec]
    public var failurePolicy: FailurePolicy
    /// Resolves the step names from validated inputs; throws ``StepFailure`` for inputs that are
    /// individually valid but inconsistent together.
    public var resolveSteps: @Sendable ([String: JSONValue]) throws -> [String]
    /// Lock keys derived from validated inputs (for example `droplet:123`).
    public var lockKeys: @Sendable ([String: JSONValue]) -> [String]

    public init(
        name: String, kind: SagaKind, summary: String = "", inputs: [InputSpec] = [],
        failurePolicy: FailurePolicy = .compensate,
        lockKeys: @escaping @Sendable ([String: JSONValue]) -> [String] = { _ in [] },
        resolveSteps: @escaping @Sendable ([String: JSONValue]) throws -> [String]
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.inputs = inputs
        self.failurePolicy = failurePolicy
        self.lockKeys = lockKeys
        self.resolveSteps = resolveSteps
    }

    /// A template with a fixed step list.
    public init(
        name: String, kind: SagaKind, summary: String = "", inputs: [InputSpec] = [], steps: [String],
        failurePolicy: FailurePolicy = .compensate,
        lockKeys: @escaping @Sendable ([String: JSONValue]) -> [String] = { _ in [] }
    ) {
        self.init(
            name: name, kind: kind, summary: summary, inputs: inputs, failurePolicy: failurePolicy,
            lockKeys: lockKeys, resolveSteps: { _ in steps })
    }

    /// Validates raw inputs against the declared specs: every problem is reported, not just the first.
    /// - Returns: the typed inputs with defaults filled in.
    public func validate(_ raw: [String: JSONValue]) throws(SagaInputError) -> [String: JSONValue] {
        var problems: [String] = []
        var typed: [String: JSONValue] = [:]
        let known = Set(inputs.map(\.name))
        for key in raw.keys.sorted() where !known.contains(key) {
            let accepted = inputs.isEmpty ? "it takes no inputs" : "it takes: \(inputs.map(\.name).joined(separator: ", "))"
            problems.append("unknown input '\(key)' for template '\(name)' (\(accepted))")
        }
        for spec in inputs {
            if let value = raw[spec.name] {
                if let coerced = spec.coerce(value) {
                    typed[spec.name] = coerced
                } else {
                    problems.append("input '\(spec.name)' must be \(spec.type.article) \(spec.type.noun), got \(value)")
                }
            } else if let fallback = spec.defaultValue {
                typed[spec.name] = fallback
            } else {
                problems.append("missing required input '\(spec.name)' (\(spec.type.noun)\(spec.summary.isEmpty ? "" : ": \(spec.summary)"))")
            }
        }
        guard problems.isEmpty else { throw SagaInputError(template: name, problems: problems) }
        return typed
    }
}

extension InputSpec.ValueType {
    fileprivate var article: String { self == .int ? "an" : "a" }

    /// How the type reads in an error message.
    fileprivate var noun: String {
        switch self {
        case .stringList: "list of strings (JSON array, or a,b,c)"
        case .object: "JSON object"
        default: rawValue
        }
    }
}
