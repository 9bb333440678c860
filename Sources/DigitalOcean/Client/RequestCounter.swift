import Synchronization

/// Counts the HTTP requests a client sent (each attempt of a retried call counts), so that a
/// caller such as an inventory sync can report what it cost against the token's budget.
public final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Requests sent so far.
    public var value: Int { count.load(ordering: .relaxed) }

    func increment() { count.add(1, ordering: .relaxed) }
}
