/// The steps and templates a process knows, by name.
///
/// Register every step a template names before starting sagas from it; a stored saga whose step
/// name does not resolve in the worker that claims it fails clearly and compensates what it can.
public struct SagaRegistry: Sendable {
    private var steps: [String: any SagaStep] = [:]
    private var templatesByName: [String: SagaTemplate] = [:]

    public init() {}

    /// Adds a step; a later registration under the same name replaces the earlier one.
    public mutating func register(_ step: any SagaStep) {
        steps[step.name] = step
    }

    /// Adds a template; a later registration under the same name replaces the earlier one.
    public mutating func register(_ template: SagaTemplate) {
        templatesByName[template.name] = template
    }

    /// The step registered under `name`.
    public func step(named name: String) -> (any SagaStep)? { steps[name] }

    /// The template registered under `name`.
    public func template(named name: String) -> SagaTemplate? { templatesByName[name] }

    /// All templates, sorted by name.
    public var templates: [SagaTemplate] { templatesByName.values.sorted { $0.name < $1.name } }

    /// All step names, sorted.
    public var stepNames: [String] { steps.keys.sorted() }

    /// Validates a start request: the template exists, the inputs are valid, every step resolves.
    public func prepare(template name: String, inputs raw: [String: JSONValue]) throws -> PreparedSaga {
        guard let template = templatesByName[name] else {
            let known = templatesByName.keys.sorted().joined(separator: ", ")
            throw EngineError(.unknownTemplate, "unknown template '\(name)'; known templates: \(known)")
        }
        let inputs = try template.validate(raw)
        let stepNames: [String]
        do {
            stepNames = try template.resolveSteps(inputs)
        } catch let failure as StepFailure {
            throw SagaInputError(template: name, problems: [failure.message])
        }
        let unknown = stepNames.filter { steps[$0] == nil }
        guard unknown.isEmpty else {
            throw EngineError(
                .unknownStep,
                "template '\(name)' names steps this process does not know: \(Set(unknown).sorted().joined(separator: ", "))")
        }
        return PreparedSaga(
            template: template, inputs: inputs, stepNames: stepNames, lockKeys: template.lockKeys(inputs))
    }
}

/// A validated start request: the template, typed inputs, the pinned step list and the lock keys.
public struct PreparedSaga: Sendable {
    public var template: SagaTemplate
    public var inputs: [String: JSONValue]
    public var stepNames: [String]
    public var lockKeys: [String]
}
