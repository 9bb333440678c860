import Foundation
import Logging
import ServiceLifecycle

/// A simulator running in this process (tests, the demo): started on a free port, stopped
/// with ``stop()``.
public final class RunningFakeDigitalOcean: Sendable {
    /// The bound port.
    public let port: Int
    /// `http://127.0.0.1:PORT` (or `https://` with TLS): the base URL for clients.
    public let baseURL: String
    /// The simulator behind the server, for direct inspection.
    public let simulator: Simulator
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, baseURL: String, simulator: Simulator, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.baseURL = baseURL
        self.simulator = simulator
        self.group = group
        self.task = task
    }

    /// Starts a simulator and returns once it accepts connections.
    public static func start(_ configuration: FakeDigitalOcean.Configuration, logger: Logger = Logger(label: "arcadia.fake-do")) async throws
        -> RunningFakeDigitalOcean
    {
        let fake = FakeDigitalOcean(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try fake.makeApplication { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            // A failed bind ends the group: finishing the stream lets `start` report the error.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            _ = try await task.value
            throw CancellationError()
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        return RunningFakeDigitalOcean(
            port: port, baseURL: "\(scheme)://\(configuration.host):\(port)", simulator: fake.simulator, group: group, task: task)
    }

    /// Shuts the server down and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
