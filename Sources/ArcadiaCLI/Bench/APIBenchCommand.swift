import AccessControl
import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SagaEngine

/// `arcadia bench api`: many concurrent API clients starting and reading sagas against a server
/// and workers in this process, over real HTTP on loopback.
struct APIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Load the JSON API with concurrent clients starting and reading sagas; print latency percentiles.",
        discussion: """
            Starts the server (port 0) and a worker on a fresh database (a temporary SQLite file, or a temporary
            schema of the PostgreSQL --database, dropped afterwards), then runs --clients clients for --seconds:
            each in a loop starts a one-step test-echo saga one time in five, and otherwise reads (a saga by id,
            or the newest 20). With --think-ms each client pauses between requests (a random pause averaging that
            long, as people and scripts do); without, it sends its next request as soon as the last is answered,
            which measures the most the server takes (and then latency is mostly waiting in line: with 200 clients
            back to back, each waits for the 199 others). Clients, server and workers share this machine's cores.
            """)

    @OptionGroup var scratch: ScratchDatabaseOptions

    @Option(help: "Concurrent clients.")
    var clients: Int = 200

    @Option(help: "Seconds of load.")
    var seconds: Double = 10

    @Option(
        help: ArgumentHelp(
            "Average pause of each client between requests (uniformly random between 0 and twice this; 0: back to back).",
            valueName: "milliseconds"))
    var thinkMs: Double = 0

    @Flag(help: "Print JSON (clients, seconds, requests, errors, reads and writes with p50_ms, p99_ms).")
    var json = false

    func validate() throws {
        guard (1...2000).contains(clients) else { throw ValidationError("--clients must be between 1 and 2000") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600") }
        guard (0...60_000).contains(thinkMs) else { throw ValidationError("--think-ms must be between 0 and 60000") }
    }

    /// What one client measured.
    struct Tally: Sendable {
        var reads: [Double] = []
        var writes: [Double] = []
        var errors = 0
        var firstError: String?
    }

    func run() async throws {
        let logger = ScratchDatabaseOptions.logger()
        let (url, cleanup) = try scratch.scratch(logger: logger)
        let (clients, seconds, thinkMs) = (self.clients, self.seconds, self.thinkMs)
        let tallies: [Tally]
        do {
            // Twenty connections in all: more only contend on a small machine (measured: 60 gave
            // 500 requests/s where 20 gave 850).
            tallies = try await StoreFactory.withStore(url, maximumConnections: 20, logger: logger) { store in
                let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: logger)
                let secret = try await TokenIssuer(store: store).issue(name: "bench", role: .operator).secret
                let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
                // Cancelling the server at the end is its normal stop here, not an error to log.
                var serverLogger = logger
                serverLogger.logLevel = .critical
                let app = try buildApplication(
                    configuration: ServerConfiguration(port: 0), engine: engine, store: store, logger: serverLogger,
                    onServerRunning: { portSink.yield($0) })
                var configuration = HTTPClient.Configuration()
                configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = clients
                let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                do {
                    let tallies = try await Self.load(
                        http, app: app, engine: engine, secret: secret, ports: ports, portSink: portSink, clients: clients, seconds: seconds,
                        thinkMs: thinkMs)
                    try? await http.shutdown()
                    return tallies
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
        report(tallies, backend: ScratchDatabaseOptions.isPostgres(url) ? "postgres" : "sqlite")
        // Figures with errors in them are not a result.
        if tallies.contains(where: { $0.errors > 0 }) { throw ExitCode(1) }
    }

    /// Runs the server and a worker, and the clients against them until the time is up.
    private static func load(
        _ http: HTTPClient, app: some ApplicationProtocol, engine: SagaEngine, secret: String, ports: AsyncStream<Int>,
        portSink: AsyncStream<Int>.Continuation, clients: Int, seconds: Double, thinkMs: Double
    ) async throws -> [Tally] {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Ctrl-C ends the whole command (no graceful-shutdown signal handling of its own); a
            // server that fails to start ends the wait for its port.
            group.addTask {
                defer { portSink.finish() }
                try await app.runService(gracefulShutdownSignals: [])
            }
            group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 16)).run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ValidationError("the server did not start") }
            let base = "http://127.0.0.1:\(port)"
            // One saga to read from the start.
            let seed = try await Self.request(http, base + "/api/v1/sagas", "POST", secret, Self.startBody)
            guard seed.ok, let seedID = seed.id else { throw ValidationError("the first saga did not start: \(seed.failure ?? "no id")") }
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            return try await withThrowingTaskGroup(of: Tally.self) { clientsGroup in
                for client in 0..<clients {
                    clientsGroup.addTask {
                        var tally = Tally()
                        var known = seedID
                        var turn = client
                        while ContinuousClock.now < deadline {
                            if thinkMs > 0 { try await Task.sleep(for: .microseconds(Int64(Double.random(in: 0...(2 * thinkMs)) * 1000))) }
                            guard ContinuousClock.now < deadline else { break }
                            turn += 1
                            let write = turn % 5 == 0
                            let path = write ? "/api/v1/sagas" : (turn % 2 == 0 ? "/api/v1/sagas/\(known)" : "/api/v1/sagas?limit=20")
                            let started = ContinuousClock.now
                            let answer = try await Self.request(http, base + path, write ? "POST" : "GET", secret, write ? Self.startBody : nil)
                            let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
                            if answer.ok {
                                if write { tally.writes.append(elapsed) } else { tally.reads.append(elapsed) }
                                if write, let id = answer.id { known = id }
                            } else {
                                tally.errors += 1
                                tally.firstError = tally.firstError ?? answer.failure
                            }
                        }
                        return tally
                    }
                }
                return try await clientsGroup.reduce(into: []) { $0.append($1) }
            }
        }
    }

    private func report(_ tallies: [Tally], backend: String) {
        let reads = tallies.flatMap(\.reads).sorted()
        let writes = tallies.flatMap(\.writes).sorted()
        let errors = tallies.map(\.errors).reduce(0, +)
        func percentile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            return ScratchDatabaseOptions.round(values[min(values.count - 1, Int((Double(values.count) * p).rounded(.up)) - 1)])
        }
        let requests = reads.count + writes.count + errors
        if json {
            let object: [String: Any] = [
                "backend": backend, "clients": clients, "seconds": seconds, "think_ms": thinkMs, "requests": requests, "errors": errors,
                "requests_per_second": ScratchDatabaseOptions.round(Double(requests) / seconds),
                "reads": ["count": reads.count, "p50_ms": percentile(reads, 0.5), "p99_ms": percentile(reads, 0.99)],
                "writes": ["count": writes.count, "p50_ms": percentile(writes, 0.5), "p99_ms": percentile(writes, 0.99)],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                """
                API load: \(clients) clients\(thinkMs > 0 ? " pausing \(thinkMs) ms on average" : " back to back") for \(seconds) s on \(backend == "postgres" ? "PostgreSQL" : "SQLite"), \(requests) requests (\(Int(Double(requests) / seconds))/s), \(errors) errors
                reads:   \(reads.count), p50 \(percentile(reads, 0.5)) ms, p99 \(percentile(reads, 0.99)) ms
                starts:  \(writes.count), p50 \(percentile(writes, 0.5)) ms, p99 \(percentile(writes, 0.99)) ms
                """)
        }
        if let first = tallies.compactMap(\.firstError).first { print("first error: \(first)") }
    }

    static let startBody = #"{"template": "test-echo", "inputs": {"steps": 1}}"#

    /// One request; whether it succeeded, the saga id it answered (if any), what failed.
    static func request(
        _ http: HTTPClient, _ url: String, _ method: String, _ token: String, _ body: String?
    ) async throws -> (ok: Bool, id: String?, failure: String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                return (false, nil, "HTTP \(response.status.code): \(String(buffer: bytes).prefix(200))")
            }
            guard method == "POST" else { return (true, nil, nil) }
            let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(String(buffer: bytes).utf8))
            return (true, object?["id"]?.stringValue, nil)
        } catch {
            return (false, nil, String(describing: error).prefix(200).description)
        }
    }
}
