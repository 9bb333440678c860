extension SagaRegistry {
    /// A registry with the built-in test steps and templates (`test-echo`, `test-fail`,
    /// `test-fail-hold`, `test-sleep`, `test-effect`, `test-wait-file`).
    public static var builtIn: SagaRegistry {
        var registry = SagaRegistry()
        registry.registerTestTemplates()
        return registry
    }

    /// Registers the test steps (`echo`, `fail`, `sleep`, `record_effect`) and test templates.
    public mutating func registerTestTemplates() {
        register(EchoStep())
        register(FailStep())
        register(SleepStep())
        register(RecordEffectStep())
        register(WaitFileStep())

        let steps = InputSpec("steps", .int, default: 5, summary: "number of echo steps (1 to 1000)")
        let message = InputSpec("message", .string, default: "hello", summary: "what each echo step writes")
        register(
            SagaTemplate(name: "test-echo", kind: .test, summary: "`steps` echo steps, each writing echoed_at_step_<i>", inputs: [steps, message]) {
                inputs in
                let count = inputs["steps"]?.intValue ?? 5
                guard (1...1000).contains(count) else { throw StepFailure.permanent("input 'steps' must be between 1 and 1000, got \(count)") }
                return Array(repeating: "echo", count: count)
            })

        let failInputs = [
            InputSpec("steps", .int, default: 3, summary: "number of steps (1 to 1000)"),
            InputSpec("fail_at", .int, summary: "index of the failing step"),
            InputSpec("fail_attempts", .string, default: "always", summary: "fail the first N attempts, or `always`"),
            message,
        ]
        let failSteps: @Sendable ([String: JSONValue]) throws -> [String] = { inputs in
            let count = inputs["steps"]?.intValue ?? 3
            let failAt = inputs["fail_at"]?.intValue ?? 0
            var problems: [String] = []
            if !(1...1000).contains(count) { problems.append("input 'steps' must be between 1 and 1000, got \(count)") }
            if !(0..<max(count, 1)).contains(failAt) { problems.append("input 'fail_at' must be a step index from 0 to \(count - 1), got \(failAt)") }
            let attempts = inputs["fail_attempts"]?.stringValue ?? "always"
            if attempts != "always", (Int(attempts) ?? -1) < 0 {
                problems.append("input 'fail_attempts' must be `always` or a non-negative integer, got '\(attempts)'")
            }
            guard problems.isEmpty else { throw StepFailure.permanent(problems.joined(separator: "; ")) }
            return (0..<count).map { $0 == failAt ? "fail" : "echo" }
        }
        register(
            SagaTemplate(
                name: "test-fail", kind: .test, summary: "echo steps with a failing one; compensates", inputs: failInputs,
                resolveSteps: failSteps))
        register(
            SagaTemplate(
                name: "test-fail-hold", kind: .test, summary: "like test-fail, but a failure holds the saga for `saga resume`",
                inputs: failInputs, failurePolicy: .holdForOperator, resolveSteps: failSteps))
        register(
            SagaTemplate(
                name: "test-sleep", kind: .test, summary: "one durable wait of `seconds`, then done",
                inputs: [InputSpec("seconds", .double, summary: "how long to wait")], steps: ["sleep"]))
        register(
            SagaTemplate(
                name: "test-effect", kind: .test, summary: "echo, an idempotent file effect (optionally held), echo",
                inputs: [
                    InputSpec("effects_dir", .string, summary: "directory for the effect files"),
                    InputSpec("hold_attempts", .int, default: 0, summary: "block the effect step on its first N attempts"),
                    message,
                ], steps: ["echo", "record_effect", "echo"]))
        register(
            SagaTemplate(
                name: "test-wait-file", kind: .test, summary: "waits until a file exists, then echoes",
                inputs: [InputSpec("path", .string, summary: "the file to wait for"), message], steps: ["wait_file", "echo"]))
    }
}
