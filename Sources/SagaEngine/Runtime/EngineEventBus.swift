import Synchronization

/// Broadcasts ``EngineEvent``s to any number of subscribers; free when nobody listens.
final class EngineEventBus: Sendable {
    private struct State {
        var subscribers: [UInt64: (filter: @Sendable (EngineEvent) -> Bool, continuation: AsyncStream<EngineEvent>.Continuation)] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let hasSubscribers = Atomic<Int>(0)

    func emit(_ event: @autoclosure () -> EngineEvent) {
        guard hasSubscribers.load(ordering: .relaxed) > 0 else { return }
        let event = event()
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers where subscriber.filter(event) { subscriber.continuation.yield(event) }
    }

    func subscribe(_ filter: @escaping @Sendable (EngineEvent) -> Bool = { _ in true }) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .unbounded)
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.subscribers[state.nextID] = (filter, continuation)
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
