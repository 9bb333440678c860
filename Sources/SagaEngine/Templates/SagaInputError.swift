/// Inputs that a template rejected, with every problem named.
public struct SagaInputError: Error, CustomStringConvertible, Hashable {
    public var template: String
    public var problems: [String]

    public init(template: String, problems: [String]) {
        self.template = template
        self.problems = problems
    }

    public var description: String {
        "invalid inputs for template '\(template)':\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
