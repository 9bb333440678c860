import Foundation
import Logging

/// A side effect that is idempotent and observable from outside the process, for crash tests.
///
/// Each execution appends a line to `<effects_dir>/attempts.log`; the effect itself is a file
/// `<effects_dir>/effect-<saga>-<step>` created only if absent, so re-running after a crash does not
/// repeat it. On its first `hold_attempts` attempts the step then blocks (until cancelled), so a test
/// can kill the worker while the step runs. Compensation removes the effect file.
public struct RecordEffectStep: SagaStep {
    public let name = "record_effect"

    public init() {}

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        guard let directory = context.input("effects_dir") else { throw StepFailure.permanent("effects_dir input is missing") }
        let tag = "\(context.sagaID.uuidString.lowercased())-\(context.stepIndex)"
        try append("\(tag) attempt \(context.attempt)\n", to: directory + "/attempts.log")
        let effect = directory + "/effect-\(tag)"
        let created = FileManager.default.createFile(atPath: effect + ".tmp", contents: Data("done\n".utf8))
        guard created else { throw StepFailure.retryable("cannot write into \(directory)") }
        // link(2) fails if the effect exists: the effect happens at most once.
        let linked = link(effect + ".tmp", effect) == 0
        unlink(effect + ".tmp")
        if context.attempt <= (context.intInput("hold_attempts") ?? 0) {
            context.logger.notice("record_effect holding", metadata: ["effect.created": "\(linked)"])
            try await Task.sleep(for: .seconds(86_400))
        }
        return .done(["effect_\(context.stepIndex)": .string(effect)])
    }

    public func compensate(_ context: StepContext) async throws {
        guard let directory = context.input("effects_dir") else { return }
        unlink(directory + "/effect-\(context.sagaID.uuidString.lowercased())-\(context.stepIndex)")
    }

    private func append(_ line: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw StepFailure.retryable("cannot open \(path)") }
        defer { close(fd) }
        _ = line.withCString { write(fd, $0, strlen($0)) }
    }
}
