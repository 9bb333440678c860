import Foundation
import Logging

/// Waits (checking every 50 ms, for at most an hour) until the file at `path` exists, then
/// finishes: a step that ends on its own when a test says so, for graceful-shutdown tests.
public struct WaitFileStep: SagaStep {
    public let name = "wait_file"
    public var hasCompensation: Bool { false }

    public init() {}

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        guard let path = context.input("path") else { throw StepFailure.permanent("path input is missing") }
        context.logger.notice("wait_file waiting", metadata: ["path": "\(path)"])
        for _ in 0..<72_000 where !FileManager.default.fileExists(atPath: path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard FileManager.default.fileExists(atPath: path) else { throw StepFailure.retryable("\(path) did not appear within an hour") }
        return .done(["waited_for": .string(path)])
    }
}
