import ArgumentParser
import FakeDigitalOcean
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `arcadia fake-do`: runs the DigitalOcean API simulator standalone.
struct FakeDigitalOceanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-do",
        abstract: "Run the DigitalOcean API simulator (API under /v2, control API under /_fake).",
        discussion: """
            Without --token, any non-empty bearer token has full access. Lags default to what DigitalOcean \
            users observe; --zero-lag makes every action and listing immediate (for fast tests). The control \
            API (/_fake/reset, /_fake/settings, /_fake/faults, /_fake/clock/advance, /_fake/state, /_fake/audit, \
            /_fake/stats) changes lags and faults at run time; see the README.
            """)

    @Option(help: "Interface to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one and prints it).")
    var port: Int = 9000

    @Option(help: "Seed for injected faults and generated ids.")
    var seed: UInt64 = 1

    @Option(name: .customLong("token"), help: "A token and its scope, VALUE:read or VALUE:write (repeatable).")
    var tokens: [String] = []

    @Flag(help: "No lags: creates, actions, snapshots and deletes take effect at once.")
    var zeroLag = false

    @Flag(help: "Simulated time stands still until POST /_fake/clock/advance moves it (deterministic CI).")
    var frozenClock = false

    @Option(help: "Per-token requests per minute before 429s (DigitalOcean: 250).")
    var burstLimit: Int = 250

    @Option(help: "Per-token requests per hour before 429s (DigitalOcean: 5000).")
    var hourlyLimit: Int = 5000

    @Option(help: "Account droplet limit.")
    var dropletLimit: Int = 25

    @Option(help: "PEM certificate: serve HTTPS (needs --tls-key). Official clients such as pydo refuse tokens over plain HTTP.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        _ = try parsedTokens()
        guard burstLimit > 0, hourlyLimit > 0 else { throw ValidationError("--burst-limit and --hourly-limit must be positive") }
        guard dropletLimit >= 0 else { throw ValidationError("--droplet-limit must not be negative") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        for path in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("cannot read \(path)")
        }
    }

    func parsedTokens() throws -> [String: TokenScope] {
        var result: [String: TokenScope] = [:]
        for entry in tokens {
            guard let colon = entry.lastIndex(of: ":"), let scope = TokenScope(rawValue: String(entry[entry.index(after: colon)...])),
                colon != entry.startIndex
            else {
                throw ValidationError("--token takes VALUE:read or VALUE:write (got an entry ending in '\(entry.split(separator: ":").last ?? "")')")
            }
            result[String(entry[..<colon])] = scope
        }
        return result
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.info)
        let logger = Logger(label: "arcadia.fake-do")
        let settings = SimulatorSettings(
            lags: zeroLag ? .zero : Lags(), rateLimits: RateLimits(hourlyLimit: hourlyLimit, burstLimit: burstLimit), dropletLimit: dropletLimit)
        let configuration = FakeDigitalOcean.Configuration(
            host: host, port: port, seed: seed, tokens: try parsedTokens(), settings: settings, frozenClock: frozenClock,
            tls: tlsCert.flatMap { cert in tlsKey.map { (cert, $0) } })
        let fake = FakeDigitalOcean(configuration: configuration, logger: logger)
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = self.host
        let application = try fake.makeApplication { port in
            logger.notice("fake-do listening on \(scheme)://\(host):\(port)")
            FileHandle.standardOutput.write(Data("fake-do listening on \(scheme)://\(host):\(port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
