import Synchronization

/// Broadcasts ``EngineEvent``s to any number of subscribers; free when nobody listens.
final class EngineEventBus: Sendable {
    private struct State {
        var subscribers: [UInt64: AsyncStream<EngineEvent>.Continuation] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let hasSubscribers = Atomic<Int>(0)

    func emit(_ event: @autoclosure () -> EngineEvent) {
        guard hasSubscribers.load(ordering: .relaxed) > 0 else { return }
        let event = event()
        let continuations = state.withLock { Array($0.subscribers.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    func subscribe() -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .unbounded)
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        hasSubscribers.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            self.hasSubscribers.subtract(1, ordering: .relaxed)
        }
        return stream
    }
}
