import ArgumentParser
import SagaEngine

/// Template, inputs and start options shared by `saga start` and `saga run`.
struct StartArguments: ParsableArguments {
    @Argument(help: "Template name (see `arcadia saga templates`).")
    var template: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input, as key=value (repeatable).", valueName: "key=value"))
    var inputs: [String] = []

    @Option(help: "Start at most once per key: a repeated start returns the existing saga.")
    var idempotencyKey: String?

    @Option(name: .customLong("lock-key"), help: "A lock key (repeatable): sagas sharing one never run at the same time.")
    var lockKeys: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        _ = try parsedInputs()
        if let key = idempotencyKey, key.isEmpty || key.count > 200 {
            throw ValidationError("--idempotency-key must be 1 to 200 characters")
        }
        if let key = idempotencyKey, key.hasPrefix(SagaEngine.StartOptions.reservedKeyPrefix) {
            throw ValidationError("--idempotency-key may not start with '\(SagaEngine.StartOptions.reservedKeyPrefix)' (Arcadia's own keys)")
        }
        if let bad = lockKeys.first(where: { $0.isEmpty || $0.count > 200 }) {
            throw ValidationError("--lock-key '\(bad)' must be 1 to 200 characters")
        }
    }

    /// `--input key=value` pairs as raw string values; the template types them.
    func parsedInputs() throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for pair in inputs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--input expects key=value, got '\(pair)'")
            }
            let key = String(pair[..<equals])
            guard result[key] == nil else { throw ValidationError("--input '\(key)' is given twice") }
            result[key] = .string(String(pair[pair.index(after: equals)...]))
        }
        return result
    }

    /// The inputs, checked against the template before anything touches the database, so bad
    /// input never writes anything.
    func validatedInputs(_ registry: SagaRegistry) throws -> [String: JSONValue] {
        let inputs = try parsedInputs()
        _ = try registry.prepare(template: template, inputs: inputs)
        return inputs
    }

    var options: SagaEngine.StartOptions {
        SagaEngine.StartOptions(idempotencyKey: idempotencyKey, lockKeys: lockKeys, triggeredBy: "cli")
    }
}
