import FakeDigitalOcean
import Foundation
import Logging
import Testing

/// DigitalOcean's own official client (pydo, from PyPI) works unchanged against the simulator:
/// only its endpoint points elsewhere. pydo refuses bearer tokens over plain HTTP, so the
/// simulator serves HTTPS with a throwaway certificate that the client trusts through
/// `REQUESTS_CA_BUNDLE`, the way a user's environment would.
///
/// `scripts/test.sh` installs pydo into `.build-pydo/` and sets `ARCADIA_PYDO_PYTHON`; without it
/// the test is skipped locally and fails under `CI=true`.
@Suite struct OfficialClientTests {
    static var python: String? { ProcessInfo.processInfo.environment["ARCADIA_PYDO_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test(.enabled(if: python != nil || isCI, "set ARCADIA_PYDO_PYTHON (scripts/install-pydo.sh) to run"))
    func pydoWorksUnchanged() async throws {
        let python = try #require(Self.python, "ARCADIA_PYDO_PYTHON is not set: run scripts/install-pydo.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = try await ProcessRunner.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        try #require(openssl.status == 0, "openssl failed: \(openssl.output)")

        var logger = Logger(label: "test.fake-do")
        logger.logLevel = .warning
        let server = try await RunningFakeDigitalOcean.start(
            .init(host: "127.0.0.1", port: 0, settings: SimulatorSettings(lags: .zero), tls: (cert, key)), logger: logger)
        let script = Self.packageRoot.appendingPathComponent("scripts/official-clients/pydo_smoke.py").path
        let result = try await ProcessRunner.run(
            python, [script, "--base-url", server.baseURL, "--token", "dop_v1_pydo_smoke"], environment: ["REQUESTS_CA_BUNDLE": cert])
        await server.stop()
        #expect(result.status == 0, "pydo against the simulator:\n\(result.output)")
        #expect(result.output.contains(" 0 failed"), "\(result.output)")
    }
}
