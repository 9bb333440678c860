import Foundation

/// How a step's transient failures are retried: exponential backoff with jitter, bounded.
///
/// The delay before attempt `n + 1` is `min(maximumBackoff, initialBackoff * multiplier^(n-1))`,
/// then scaled by a random factor in `1 - jitter ... 1`, and never shorter than a `retry-after`
/// the error carried.
public struct RetryPolicy: Sendable, Hashable {
    /// Total executions allowed, including the first. `1` means never retry.
    public var maximumAttempts: Int
    public var initialBackoff: Duration
    public var multiplier: Double
    public var maximumBackoff: Duration
    /// Fraction of the delay that is randomised (0 = none, 1 = full jitter).
    public var jitter: Double

    public init(
        maximumAttempts: Int = 5, initialBackoff: Duration = .seconds(1), multiplier: Double = 2,
        maximumBackoff: Duration = .seconds(60), jitter: Double = 0.2
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.multiplier = max(1, multiplier)
        self.maximumBackoff = maximumBackoff
        self.jitter = min(1, max(0, jitter))
    }

    /// Five attempts, 1 s doubling to at most 60 s, 20% jitter.
    public static let `default` = RetryPolicy()

    /// A single attempt.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// Whether another attempt is allowed after `attempts` executions failed with `error`.
    public func shouldRetry(afterAttempts attempts: Int, error: any Error) -> Bool {
        shouldRetry(afterAttempts: attempts, retryable: (error as? any RetryClassifiable)?.isRetryable ?? false)
    }

    /// Whether another attempt is allowed after `attempts` executions failed with an error that is
    /// (or is not) retryable.
    public func shouldRetry(afterAttempts attempts: Int, retryable: Bool) -> Bool {
        attempts < maximumAttempts && retryable
    }

    /// The delay before the next attempt, after `attempts` failed executions.
    /// - Parameter random: a number in `0..<1` (injected for tests).
    public func backoff(afterAttempts attempts: Int, retryAfter: Duration? = nil, random: Double) -> Duration {
        let exponent = Double(max(0, attempts - 1))
        let base = initialBackoff.seconds * Foundation.pow(multiplier, min(exponent, 64))
        let capped = min(base, maximumBackoff.seconds)
        let jittered = capped * (1 - jitter * random)
        let floor = retryAfter?.seconds ?? 0
        return .seconds(max(jittered, floor))
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (s, attoseconds) = self.components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
