import Foundation

/// A declared, typed input of a template.
public struct InputSpec: Sendable, Hashable {
    /// The type an input must have.
    public enum ValueType: String, Sendable, Hashable {
        case string
        case int
        case bool
        case double
        /// A list of strings: a JSON array, or on the command line `a,b,c` or `["a","b"]`.
        case stringList = "string_list"
        /// A JSON object (on the command line, its JSON text).
        case object
    }

    public var name: String
    public var type: ValueType
    /// The value used when the input is omitted; `nil` makes the input required.
    public var defaultValue: JSONValue?
    public var summary: String

    public init(_ name: String, _ type: ValueType, default defaultValue: JSONValue? = nil, summary: String = "") {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
    }

    private static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Whether the input must be given.
    public var isRequired: Bool { defaultValue == nil }

    /// Converts a JSON value (or a command-line string) to this input's type.
    /// - Returns: the typed value, or nil if it cannot be converted.
    public func coerce(_ value: JSONValue) -> JSONValue? {
        switch (type, value) {
        case (.string, .string): return value
        case (.string, .int(let v)): return .string(String(v))
        case (.string, .double(let v)): return .string(String(v))
        case (.string, .bool(let v)): return .string(String(v))
        case (.int, _):
            if let v = value.intValue { return .int(v) }
            if case .string(let s) = value, let v = Int(s.trimmingCharacters(in: .whitespaces)) { return .int(v) }
            return nil
        case (.double, _):
            if let v = value.doubleValue { return .double(v) }
            if case .string(let s) = value, let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite {
                return .double(v)
            }
            return nil
        case (.stringList, .array(let items)):
            // (Not `cond ? value : nil`: JSONValue takes `nil` as its own `.null`, which would pass.)
            guard items.allSatisfy({ $0.stringValue != nil }) else { return Optional<JSONValue>.none }
            return value
        case (.stringList, .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { return Self.parse(trimmed).flatMap { coerce($0) } }
            let items = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .array(items.map { .string($0) })
        case (.object, .object): return value
        case (.object, .string(let text)):
            guard case .object? = Self.parse(text) else { return nil }
            return Self.parse(text)
        case (.bool, .bool): return value
        case (.bool, .string(let s)):
            switch s.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        default: return nil
        }
    }
}
