import AsyncHTTPClient
import DigitalOcean
import FakeDigitalOcean
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A simulator on port 0 with clients for it, and the control API as typed calls.
struct SimulatorHarness {
    static let writeToken = "dop_v1_test_write_token_\(UUID().uuidString)"
    static let readToken = "dop_v1_test_read_token_\(UUID().uuidString)"

    let server: RunningFakeDigitalOcean

    /// Starts a simulator with zero lags, generous limits and the two test tokens. Its clock is
    /// frozen (time moves only by ``advance(seconds:)``) unless `wallClock` is set.
    static func start(
        settings: SimulatorSettings = SimulatorSettings(lags: .zero, rateLimits: .unlimited, dropletLimit: 5000), wallClock: Bool = false
    ) async throws -> SimulatorHarness {
        let configuration = FakeDigitalOcean.Configuration(
            host: "127.0.0.1", port: 0, seed: 42, tokens: [writeToken: .write, readToken: .read], settings: settings, frozenClock: !wallClock)
        var logger = Logger(label: "test.fake-do")
        logger.logLevel = .warning
        return SimulatorHarness(server: try await RunningFakeDigitalOcean.start(configuration, logger: logger))
    }

    func stop() async { await server.stop() }

    /// A client with fast retries (and, like the simulator's default limits, no burst limit).
    func client(
        _ purpose: TokenPurpose = .provisioning, token: String? = nil, retry: DigitalOceanClient.Retry = .init(baseDelay: .milliseconds(5)),
        paces: Bool = true, burstLimit: (requests: Int, window: Duration) = (1_000_000, .seconds(60))
    ) -> DigitalOceanClient {
        let secret = token ?? (purpose == .provisioning ? Self.writeToken : Self.readToken)
        return DigitalOceanClient(
            configuration: .init(
                token: APIToken(secret, purpose: purpose), baseURL: server.baseURL, retry: retry, pacesRequests: paces, burstLimit: burstLimit))
    }

    /// A raw request (for shapes, status codes and the control API).
    func raw(_ method: HTTPMethod, _ path: String, body: String? = nil, token: String? = writeToken) async throws -> (
        status: Int, headers: HTTPHeaders, body: Data
    ) {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, Data(bytes.readableBytesView))
    }

    /// A JSON object from a raw GET.
    func json(_ path: String, token: String? = writeToken) async throws -> [String: Any] {
        let response = try await raw(.GET, path, token: token)
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    /// Calls the control API; fails the test on a non-200.
    @discardableResult
    func control(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
        let response = try await raw(method, "/_fake" + path, body: body, token: nil)
        guard response.status == 200 else {
            throw HarnessError(message: "control \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    func advance(seconds: Double) async throws { try await control(.POST, "/clock/advance", #"{"seconds": \#(seconds)}"#) }

    func setLags(_ json: String) async throws { try await control(.PATCH, "/settings", #"{"lags": \#(json)}"#) }

    func addFault(_ json: String) async throws { try await control(.POST, "/faults", json) }

    /// Mutating requests recorded by the simulator.
    func audit() async throws -> [[String: Any]] {
        try await control(.GET, "/audit")["entries"] as? [[String: Any]] ?? []
    }

    /// Responses by HTTP status.
    func responses(status: Int) async throws -> Int {
        let stats = try await control(.GET, "/stats")
        return (stats["responses_by_status"] as? [String: Any])?[String(status)] as? Int ?? 0
    }

    /// Requests seen in all.
    func requestCount() async throws -> Int {
        let stats = try await control(.GET, "/stats")
        return (stats["requests_by_token"] as? [String: Int])?.values.reduce(0, +) ?? 0
    }

    /// A standard droplet create.
    static func dropletRequest(_ name: String, tags: [String] = []) -> DropletCreateRequest {
        DropletCreateRequest(name: name, region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-20-04-x64", tags: tags)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs `body` with a fresh simulator and always stops it.
func withSimulator<T>(
    settings: SimulatorSettings = SimulatorSettings(lags: .zero, rateLimits: .unlimited, dropletLimit: 5000), wallClock: Bool = false,
    _ body: (SimulatorHarness) async throws -> T
) async throws -> T {
    let harness = try await SimulatorHarness.start(settings: settings, wallClock: wallClock)
    do {
        let result = try await body(harness)
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}
