import Foundation

/// Validates JSON response bodies against the DigitalOcean OpenAPI 3.0 document
/// (`shared/do-openapi/digitalocean-api-v2-subset.json`).
///
/// The validator implements the subset of OpenAPI 3.0 schema semantics the DigitalOcean spec uses:
/// internal `$ref`s, `type`, `nullable`, `required`, `properties`, `items`, `additionalProperties`
/// (when it is a schema), `allOf`, `oneOf`/`anyOf` (at least one alternative must pass) and string
/// `enum`s. Formats, patterns, lengths, bounds, non-string enums and discriminators are not checked; properties
/// marked `writeOnly: true` are never required in a response. One deliberate strictness beyond JSON Schema: a
/// schema with `properties` but no `type` (the spec's response envelopes) is taken to describe an object.
///
/// Most response envelopes in the spec have no `required` list (e.g. `{"properties": {"droplet": …}}`), so
/// `{}` would conform to them. The validator checks envelopes itself: a 2xx JSON body must carry at least
/// one of the envelope's declared keys other than `links` and `meta` (a collection read as `{}` would
/// otherwise pass as "everything deleted"), and no key the envelope does not declare.
///
/// Each problem names the offending value with a JSON-path-like location, for example
/// `$.droplet.networks.v4[0].ip_address: expected string, got number`.
///
/// Known upstream quirks that are deliberately tolerated (each is also documented where it is handled):
/// - `domain_record_ns`, `domain_record_txt` and `domain_record_srv` list the CAA-only fields `flags` and
///   `tag` as required. A missing `flags`/`tag` is ignored inside a `domain_record*` schema when the
///   record's `type` is not `CAA`.
struct OpenAPIResponseValidator: Sendable {
    /// A parsed JSON value; the spec and each response body are converted to this Sendable tree.
    indirect enum JSONNode: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONNode])
        case object([String: JSONNode])

        /// The object's members, or `nil` when this is not an object.
        var members: [String: JSONNode]? {
            if case .object(let members) = self { return members }
            return nil
        }

        /// The array's elements, or `nil` when this is not an array.
        var elements: [JSONNode]? {
            if case .array(let elements) = self { return elements }
            return nil
        }

        /// The string's value, or `nil` when this is not a string.
        var stringValue: String? {
            if case .string(let value) = self { return value }
            return nil
        }

        /// `true` only for the JSON literal `true`.
        var isTrue: Bool { self == .bool(true) }

        /// The JSON type name used in problem messages (`null`, `boolean`, `number`, `string`, `array`, `object`).
        var typeName: String {
            switch self {
            case .null: "null"
            case .bool: "boolean"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }

        /// Subscripts an object member; `nil` for a missing member or a non-object.
        subscript(key: String) -> JSONNode? { members?[key] }

        /// Converts a `JSONSerialization` result.
        ///
        /// `JSONSerialization` returns booleans as `NSNumber`s (on Linux a private `__NSCFBoolean` subclass, on
        /// Darwin the `kCFBoolean*` singletons), and `0`/`1` numbers bridge to `Bool` with `as?`, so booleans are
        /// recognised by the dynamic class of the number (the class `NSNumber(value: true)` has) before any
        /// numeric conversion.
        init(foundation value: Any) {
            switch value {
            case is NSNull:
                self = .null
            case let number as NSNumber:
                if Self.isBoolean(number) {
                    self = .bool(number.boolValue)
                } else {
                    self = .number(number.doubleValue)
                }
            case let string as String:
                self = .string(string)
            case let array as [Any]:
                self = .array(array.map { JSONNode(foundation: $0) })
            case let dictionary as [String: Any]:
                self = .object(dictionary.mapValues { JSONNode(foundation: $0) })
            default:
                if let bool = value as? Bool {
                    self = .bool(bool)
                } else {
                    self = .string(String(describing: value))
                }
            }
        }

        /// Parses JSON text (fragments allowed).
        init(jsonData data: Data) throws {
            self.init(foundation: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        }

        private static let booleanClass: ObjectIdentifier = ObjectIdentifier(type(of: NSNumber(value: true)))
        private static let numberClass: ObjectIdentifier = ObjectIdentifier(type(of: NSNumber(value: 1)))

        /// Whether an `NSNumber` produced by `JSONSerialization` stands for a JSON boolean.
        static func isBoolean(_ number: NSNumber) -> Bool {
            let dynamicClass = ObjectIdentifier(type(of: number))
            if booleanClass != numberClass {
                return dynamicClass == booleanClass
            }
            // Fallback for a Foundation whose booleans share the number class: the Objective-C type code is
            // "c" (char) only for booleans among the values JSONSerialization produces.
            return String(cString: number.objCType) == "c"
        }
    }

    /// Thrown when the spec cannot be used.
    enum SpecError: Error, CustomStringConvertible {
        case notAnObject
        case missingPaths

        var description: String {
            switch self {
            case .notAnObject: "the OpenAPI document is not a JSON object"
            case .missingPaths: "the OpenAPI document has no `paths` object"
            }
        }
    }

    private static let httpMethods: [String] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The whole OpenAPI document.
    private let spec: JSONNode

    /// All (method, pathTemplate) pairs of the spec, method lowercase, sorted by path then method.
    let operations: [(method: String, path: String)]

    /// Parses an OpenAPI 3.0 document in JSON form.
    init(specData: Data) throws {
        let spec = try JSONNode(jsonData: specData)
        guard spec.members != nil else { throw SpecError.notAnObject }
        guard let paths = spec["paths"]?.members else { throw SpecError.missingPaths }
        self.spec = spec
        var operations: [(method: String, path: String)] = []
        for path in paths.keys.sorted() {
            guard let item = paths[path]?.members else { continue }
            for method in Self.httpMethods where item[method] != nil {
                operations.append((method: method, path: path))
            }
        }
        self.operations = operations
    }

    private static let cachedDefault: Result<OpenAPIResponseValidator, any Error> = Result {
        let packageRoot = URL(fileURLWithPath: "\(#filePath)")
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // DigitalOceanTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        let specURL = packageRoot.appendingPathComponent("../shared/do-openapi/digitalocean-api-v2-subset.json").standardizedFileURL
        return try OpenAPIResponseValidator(specData: Data(contentsOf: specURL))
    }

    /// The validator for `../shared/do-openapi/digitalocean-api-v2-subset.json` relative to the package root
    /// (found from `#filePath`). The document is parsed once per process.
    static func loadDefault() throws -> OpenAPIResponseValidator {
        try cachedDefault.get()
    }

    /// Problems found in a response (empty = conforms).
    ///
    /// - Parameters:
    ///   - method: The HTTP method, any case.
    ///   - pathTemplate: A key of the spec's `paths`, exactly (e.g. `/v2/droplets/{droplet_id}`).
    ///   - status: The HTTP status returned. The response is looked up by exact status, then by a range key
    ///     such as `2XX`, then `default`; a status the operation does not document is a problem.
    ///   - body: The response body. It must be empty when the response declares no content (e.g. 204), must be
    ///     JSON conforming to the schema when it declares `application/json`, and is not checked when it only
    ///     declares other media types (CSV, PDF).
    func problems(method: String, pathTemplate: String, status: Int, body: Data) -> [String] {
        let method = method.lowercased()
        let operationName = "\(method.uppercased()) \(pathTemplate)"
        guard let pathItem = spec["paths"]?[pathTemplate]?.members else {
            return ["\(operationName): path template not in the spec"]
        }
        guard let operation = pathItem[method] else {
            return ["\(operationName): method not in the spec for this path"]
        }
        guard let responses = operation["responses"]?.members else {
            return ["\(operationName): operation declares no responses"]
        }
        let rangeKey = "\(status / 100)XX"
        let key = [String(status), rangeKey, rangeKey.lowercased(), "default"].first { responses[$0] != nil }
        guard let key, let declared = responses[key] else {
            let documented = responses.keys.sorted().joined(separator: ", ")
            return ["\(operationName): status \(status) is not documented (documented: \(documented))"]
        }
        var visited: Set<String> = []
        var response = declared
        while let ref = response["$ref"]?.stringValue {
            guard visited.insert(ref).inserted, let target = resolve(ref) else {
                return ["\(operationName) \(key): cannot resolve response \(ref)"]
            }
            response = target
        }
        guard let content = response["content"]?.members, !content.isEmpty else {
            if body.isEmpty { return [] }
            return ["\(operationName) \(key): response declares no body, got \(body.count) bytes"]
        }
        let jsonMediaType = content.keys.sorted().first { $0.lowercased().hasPrefix("application/json") }
        guard let jsonMediaType else {
            return []  // Only non-JSON media types (text/csv, application/pdf): not validated here.
        }
        let value: JSONNode
        do {
            value = try JSONNode(jsonData: body)
        } catch {
            return ["\(operationName) \(key): body is not valid JSON (\(body.count) bytes): \(error)"]
        }
        guard let schema = content[jsonMediaType]?["schema"] else { return [] }
        var found: [String] = []
        validate(value, against: schema, at: "$", context: Context(), into: &found)
        if (200..<300).contains(status), let declared = envelopeKeys(schema), let members = value.members {
            let payload = declared.subtracting(["links", "meta"])
            if !payload.isEmpty, members.keys.allSatisfy({ !payload.contains($0) }) {
                found.append("$: none of the envelope keys \(payload.sorted()) is present (got \(members.keys.sorted()))")
            }
            for key in members.keys.sorted() where !declared.contains(key) {
                found.append("$.\(key): not a key of this response's envelope \(declared.sorted())")
            }
        }
        return found
    }

    /// The top-level property names a response schema declares (through `$ref`s and `allOf`), or
    /// nil when it declares none (a bare object, an array, a union).
    func envelopeKeys(_ schema: JSONNode) -> Set<String>? {
        var node = schema
        var seen: Set<String> = []
        while let ref = node["$ref"]?.stringValue {
            guard seen.insert(ref).inserted, let target = resolve(ref) else { return nil }
            node = target
        }
        var keys = Set(node["properties"]?.members?.keys.map { $0 } ?? [])
        for part in node["allOf"]?.elements ?? [] {
            guard let more = envelopeKeys(part) else { return nil }
            keys.formUnion(more)
        }
        if node["oneOf"] != nil || node["anyOf"] != nil || node["additionalProperties"] != nil { return nil }
        return keys.isEmpty ? nil : keys
    }

    /// Validates a JSON value against a schema of the spec (a schema node, e.g. `{"$ref": "#/components/schemas/droplet"}`).
    func problems(value: JSONNode, schema: JSONNode) -> [String] {
        var found: [String] = []
        validate(value, against: schema, at: "$", context: Context(), into: &found)
        return found
    }

    // MARK: - Schema validation

    /// State carried down the recursion.
    private struct Context {
        /// `$ref`s already followed for the current value (cleared when descending into a child value);
        /// following one again would loop forever.
        var refsAtValue: Set<String> = []
        /// The name of the innermost `#/components/schemas/...` schema entered (for quirk handling).
        var schemaName: String?
        var depth = 0

        func descending() -> Context {
            Context(refsAtValue: [], schemaName: schemaName, depth: depth + 1)
        }
    }

    private static let maximumDepth = 256

    /// Resolves an internal reference (`#/...`, JSON pointer syntax).
    private func resolve(_ ref: String) -> JSONNode? {
        guard ref.hasPrefix("#") else { return nil }
        var node = spec
        for token in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let members = node.members, let next = members[key] {
                node = next
            } else if let elements = node.elements, let index = Int(key), elements.indices.contains(index) {
                node = elements[index]
            } else {
                return nil
            }
        }
        return node
    }

    private func validate(_ value: JSONNode, against schema: JSONNode, at path: String, context: Context, into problems: inout [String]) {
        guard context.depth < Self.maximumDepth else {
            problems.append("\(path): nesting deeper than \(Self.maximumDepth) levels, not validated")
            return
        }
        guard let keywords = schema.members else {
            if schema == .bool(false) { problems.append("\(path): no value is allowed here") }
            return
        }

        // `$ref`: in OpenAPI 3.0 sibling keywords of a `$ref` are ignored.
        if let ref = keywords["$ref"]?.stringValue {
            guard !context.refsAtValue.contains(ref) else {
                problems.append("\(path): circular $ref \(ref) (not validated further)")
                return
            }
            guard let target = resolve(ref) else {
                problems.append("\(path): cannot resolve $ref \(ref)")
                return
            }
            var inner = context
            inner.refsAtValue.insert(ref)
            inner.depth += 1
            let schemasPrefix = "#/components/schemas/"
            if ref.hasPrefix(schemasPrefix) { inner.schemaName = String(ref.dropFirst(schemasPrefix.count)) }
            validate(value, against: target, at: path, context: inner, into: &problems)
            return
        }

        // Deliberately stricter than plain JSON Schema: a schema with `properties` but no `type` (the spec's response
        // envelopes, e.g. `{"properties": {"droplet": ...}}`) is taken to describe an object, so that an array, a
        // scalar or `null` in its place is reported instead of passing vacuously.
        let declaredType = keywords["type"]?.stringValue ?? (keywords["properties"] != nil ? "object" : nil)
        if value == .null {
            if keywords["nullable"]?.isTrue == true { return }
            if let declaredType {
                problems.append("\(path): expected \(declaredType), got null")
                return
            }
        }

        if let declaredType, !Self.value(value, hasType: declaredType) {
            problems.append("\(path): expected \(declaredType), got \(value.typeName)")
            return
        }

        // `enum` is checked for strings only (every enum of the DigitalOcean spec is a string enum).
        if let string = value.stringValue, let allowed = keywords["enum"]?.elements {
            let allowedStrings = allowed.compactMap(\.stringValue)
            if !allowedStrings.isEmpty, !allowedStrings.contains(string) {
                problems.append("\(path): \"\(string)\" is not one of \(allowedStrings.joined(separator: ", "))")
            }
        }

        if let members = value.members {
            validateObject(members, keywords: keywords, at: path, context: context, into: &problems)
        }

        if let elements = value.elements, let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                validate(element, against: items, at: "\(path)[\(index)]", context: context.descending(), into: &problems)
            }
        }

        if let allOf = keywords["allOf"]?.elements {
            for part in allOf {
                validate(value, against: part, at: path, context: context, into: &problems)
            }
        }

        for combinator in ["anyOf", "oneOf"] {
            guard let alternatives = keywords[combinator]?.elements, !alternatives.isEmpty else { continue }
            // `oneOf` is treated like `anyOf`: at least one alternative must pass. Exclusivity is not checked,
            // because the spec's `oneOf`s (e.g. `{"type": "string"}` vs `{"type": "integer"}`) are used as unions.
            var matched = false
            var best: (index: Int, problems: [String]) = (0, [])
            for (index, alternative) in alternatives.enumerated() {
                var found: [String] = []
                validate(value, against: alternative, at: path, context: context, into: &found)
                if found.isEmpty {
                    matched = true
                    break
                }
                if index == 0 || found.count < best.problems.count {
                    best = (index, found)
                }
            }
            if !matched {
                let title = alternatives[best.index]["title"]?.stringValue.map { " \"\($0)\"" } ?? ""
                problems.append(
                    "\(path): matches none of the \(alternatives.count) \(combinator) alternatives; "
                        + "closest is #\(best.index)\(title), which reports:"
                )
                problems.append(contentsOf: best.problems.map { "  " + $0 })
            }
        }
    }

    private func validateObject(
        _ members: [String: JSONNode],
        keywords: [String: JSONNode],
        at path: String,
        context: Context,
        into problems: inout [String]
    ) {
        let properties = keywords["properties"]?.members ?? [:]
        for name in keywords["required"]?.elements?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            if let property = properties[name], isWriteOnly(property) { continue }
            if isDomainRecordFlagsOrTagQuirk(name, members: members, context: context) { continue }
            problems.append("\(Self.child(path, name)): required property is missing")
        }
        for name in members.keys.sorted() {
            guard let member = members[name] else { continue }
            if let property = properties[name] {
                validate(member, against: property, at: Self.child(path, name), context: context.descending(), into: &problems)
            } else if let additional = keywords["additionalProperties"], additional.members != nil || additional == .bool(false) {
                if additional == .bool(false) {
                    problems.append("\(Self.child(path, name)): additional property not allowed")
                } else {
                    validate(member, against: additional, at: Self.child(path, name), context: context.descending(), into: &problems)
                }
            }
        }
    }

    /// Upstream quirk: `domain_record_ns`, `domain_record_txt` and `domain_record_srv` (spec
    /// `components/schemas`) list `flags` and `tag` as required although both are CAA-only fields (the API
    /// returns them as `null` for other types, and a faithful implementation may omit them). A missing
    /// `flags`/`tag` is therefore not reported inside a `domain_record*` schema when the record's `type` is
    /// not `CAA`.
    private func isDomainRecordFlagsOrTagQuirk(_ name: String, members: [String: JSONNode], context: Context) -> Bool {
        guard name == "flags" || name == "tag" else { return false }
        guard context.schemaName?.hasPrefix("domain_record") == true else { return false }
        guard let type = members["type"]?.stringValue else { return false }
        return type.uppercased() != "CAA"
    }

    /// Whether a property schema (possibly a `$ref`) is marked `writeOnly: true`.
    private func isWriteOnly(_ property: JSONNode) -> Bool {
        var node = property
        var seen: Set<String> = []
        while let ref = node["$ref"]?.stringValue, seen.insert(ref).inserted, let target = resolve(ref) {
            node = target
        }
        return node["writeOnly"]?.isTrue == true
    }

    private static func value(_ value: JSONNode, hasType type: String) -> Bool {
        switch type {
        case "object": value.members != nil
        case "array": value.elements != nil
        case "string": value.stringValue != nil
        case "boolean": value.typeName == "boolean"
        case "number": value.typeName == "number"
        case "integer":
            if case .number(let number) = value { number.isFinite && number.rounded(.towardZero) == number } else { false }
        default: true  // An unknown type name constrains nothing.
        }
    }

    /// The location of an object member: `$.a.b` for identifier-like names, `$["a b"]` otherwise.
    private static func child(_ path: String, _ name: String) -> String {
        let identifierLike =
            !name.isEmpty && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
        if identifierLike { return "\(path).\(name)" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(path)[\"\(escaped)\"]"
    }
}
