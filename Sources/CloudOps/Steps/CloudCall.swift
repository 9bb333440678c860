import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Runs a cloud step's DigitalOcean work and turns DigitalOcean's failures into what the engine
/// understands.
///
/// - A rate limit the client would have to wait out in memory for long (the token's hourly budget
///   spent, or a long `retry-after`) becomes a durable wait: an execution returns
///   ``SagaEngine/StepOutcome/pollAgain(after:outputs:waitingFor:)`` until the window resets (the
///   saga is parked in the database, no worker slot is held, and no attempt is counted); a
///   compensation fails retryably with the wait as its `retryAfter`.
/// - 5xx, connection errors and DigitalOcean's transient 422s are retryable; so is an ambiguous
///   create, because every step that creates looks its resource up by tag or name before it
///   creates again.
/// - Other 4xx are permanent.
public enum CloudCall {
    /// Runs an execution.
    public static func execute(_ context: StepContext, _ body: () async throws -> StepOutcome) async throws -> StepOutcome {
        do {
            return try await body()
        } catch let error as DigitalOceanError where error.isRateLimited {
            let wait = error.retryAfter ?? .seconds(60)
            context.logger.notice(
                "DigitalOcean rate limit: parking the saga until the token's window allows more",
                metadata: ["do.operation": "\(error.operation)", "do.wait_s": "\(Int(wait.seconds.rounded(.up)))"])
            return .pollAgain(after: wait, waitingFor: "DigitalOcean's rate limit to reset (\(error.operation))")
        } catch let error as DigitalOceanError {
            throw failure(error)
        }
    }

    /// Runs a compensation.
    public static func compensate(_ context: StepContext, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as DigitalOceanError {
            throw failure(error)
        }
    }

    /// The engine's view of a DigitalOcean error.
    public static func failure(_ error: DigitalOceanError) -> StepFailure {
        let retryable = error.isRetryable || error.isAmbiguous || error.isRateLimited
        return StepFailure(error.description, retryable: retryable, retryAfter: error.retryAfter)
    }
}

extension RetryPolicy {
    /// The cloud steps' budget: 8 attempts, 2 s doubling to 60 s. A worker that dies mid-step
    /// counts an attempt too, so waits of minutes get the same crash budget as creates.
    public static let cloud = RetryPolicy(maximumAttempts: 8, initialBackoff: .seconds(2), maximumBackoff: .seconds(60))
}
