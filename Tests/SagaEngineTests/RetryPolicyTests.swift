import SagaEngine
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("backoff grows exponentially, is capped, and jitter only shortens it")
    func backoff() {
        let policy = RetryPolicy(maximumAttempts: 10, initialBackoff: .seconds(1), multiplier: 2, maximumBackoff: .seconds(10), jitter: 0.5)
        #expect(policy.backoff(afterAttempts: 1, random: 0) == .seconds(1))
        #expect(policy.backoff(afterAttempts: 2, random: 0) == .seconds(2))
        #expect(policy.backoff(afterAttempts: 4, random: 0) == .seconds(8))
        #expect(policy.backoff(afterAttempts: 9, random: 0) == .seconds(10))
        #expect(policy.backoff(afterAttempts: 2, random: 0.999).seconds > 1.0)
        #expect(policy.backoff(afterAttempts: 2, random: 0.999).seconds < 2.0)
    }

    @Test("retry-after from the remote side is a floor")
    func retryAfter() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(100))
        #expect(policy.backoff(afterAttempts: 1, retryAfter: .seconds(30), random: 0.5) == .seconds(30))
    }

    @Test("only retryable errors are retried, and only within the attempt budget")
    func shouldRetry() {
        let policy = RetryPolicy(maximumAttempts: 3)
        #expect(policy.shouldRetry(afterAttempts: 1, error: StepFailure.retryable("503")))
        #expect(policy.shouldRetry(afterAttempts: 2, error: StepFailure.retryable("503")))
        #expect(!policy.shouldRetry(afterAttempts: 3, error: StepFailure.retryable("503")))
        #expect(!policy.shouldRetry(afterAttempts: 1, error: StepFailure.permanent("422")))
        struct Opaque: Error {}
        #expect(!policy.shouldRetry(afterAttempts: 1, error: Opaque()))
        #expect(!RetryPolicy.never.shouldRetry(afterAttempts: 1, error: StepFailure.retryable("x")))
    }
}

@Suite("Templates and inputs")
struct TemplateTests {
    @Test("inputs are typed, defaulted, and every problem is reported")
    func validation() throws {
        let registry = SagaRegistry.builtIn
        let echo = try registry.prepare(template: "test-echo", inputs: [:])
        #expect(echo.inputs == ["steps": 5, "message": "hello"])
        #expect(echo.stepNames.count == 5)
        let typed = try registry.prepare(template: "test-echo", inputs: ["steps": "2", "message": "x"])
        #expect(typed.inputs["steps"] == .int(2))
        let fail = try registry.prepare(template: "test-fail", inputs: ["fail_at": "1"])
        #expect(fail.stepNames == ["echo", "fail", "echo"])
        #expect(throws: SagaInputError.self) { try registry.prepare(template: "test-sleep", inputs: [:]) }
        do {
            _ = try registry.prepare(template: "test-fail", inputs: ["steps": "x", "fail_at": "y", "bogus": "1"])
            Issue.record("expected an error")
        } catch let error as SagaInputError {
            #expect(error.problems.count == 3)
        }
        #expect(throws: EngineError.self) { try registry.prepare(template: "missing", inputs: [:]) }
    }

    @Test("a template naming an unregistered step is rejected at start")
    func unknownStep() {
        var registry = SagaRegistry()
        registry.register(SagaTemplate(name: "broken", kind: .test, steps: ["nope"]))
        #expect(throws: EngineError.self) { try registry.prepare(template: "broken", inputs: [:]) }
    }

    @Test("JSON values keep integers and doubles apart")
    func jsonRoundTrip() throws {
        let value: JSONValue = ["a": 1, "b": 1.5, "c": [true, nil, "s"]]
        let text = try JSONValue.encodeToString(value)
        #expect(try JSONValue.decodeObject(text) == ["a": 1, "b": 1.5, "c": [true, nil, "s"]])
        let tricky: [String: JSONValue] = ["k\"ey": "quote\" back\\ newline\n tab\t ctrl\u{01} é 😀 </", "n": -0.25, "big": 1e300]
        let written = try JSONValue.encodeToString(tricky)
        #expect(try JSONValue.decodeObject(written) == tricky)
        #expect(written == JSONValue.object(tricky).description)
    }
}
