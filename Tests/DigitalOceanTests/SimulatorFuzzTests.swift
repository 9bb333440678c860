import Foundation
import Logging
import Testing

@testable import FakeDigitalOcean

/// Bad input never crashes or hangs the simulator: schemathesis (from PyPI) fuzzes every route
/// it serves from the official spec — DigitalOcean's examples, boundary values, then random
/// requests for a bounded time — and checks there is no 5xx, every status is one the spec
/// documents for the route, and every body (errors included) has the spec's shape.
///
/// `scripts/test.sh` installs schemathesis into `.build-schemathesis/` and sets
/// `ARCADIA_SCHEMATHESIS`; without it the test is skipped locally and fails under `CI=true`.
@Suite struct SimulatorFuzzTests {
    static var schemathesis: String? { ProcessInfo.processInfo.environment["ARCADIA_SCHEMATHESIS"].flatMap { $0.isEmpty ? nil : $0 } }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var spec: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/do-openapi/digitalocean-api-v2-subset.json"
        )
        .standardizedFileURL.path
    }

    @Test(
        "schemathesis finds no crash, hang, 5xx, undocumented status or misshapen body on any route",
        .enabled(if: schemathesis != nil || isCI, "set ARCADIA_SCHEMATHESIS (scripts/install-schemathesis.sh) to run"),
        .timeLimit(.minutes(5)))
    func fuzzEveryRoute() async throws {
        let st = try #require(Self.schemathesis, "ARCADIA_SCHEMATHESIS is not set: run scripts/install-schemathesis.sh")
        var logger = Logger(label: "test.fake-do")
        logger.logLevel = .critical
        let server = try await RunningFakeDigitalOcean.start(
            .init(host: "127.0.0.1", port: 0, settings: SimulatorSettings(lags: .zero, rateLimits: .unlimited, dropletLimit: 100_000)),
            logger: logger)
        var arguments = [
            "run", Self.spec, "--url", server.baseURL, "-H", "Authorization: Bearer dop_v1_fuzz",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--workers", "1", "--generation-database", "none",
            "--request-timeout", "10", "--seed", "20261202",
            "--no-color",
        ]
        for route in SimRoute.all { arguments += ["--include-name", "\(route.method) \(route.template)"] }
        // Run where its working files (`.schemathesis/`) go nowhere near the repository.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try await ProcessRunner.run(st, arguments, directory: scratch)
        // Still serving after everything it was sent.
        let alive = try await ProcessRunner.run(
            "/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", server.baseURL + "/_fake/clock"])
        await server.stop()
        #expect(result.status == 0, "schemathesis against the simulator:\n\(result.output.suffix(6000))")
        #expect(result.output.contains("Tested: \(SimRoute.all.count)"), "\(result.output.suffix(3000))")
        #expect(alive.output == "200")
    }
}
