import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SagaEngine

/// A headless Chromium driven through chromedriver's W3C WebDriver protocol (JSON over HTTP),
/// for the dashboard's browser test. Both come from Debian's `chromium` and `chromium-driver`.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)
    }

    private let process: Process
    private let base: String
    private let session: String

    private init(process: Process, base: String, session: String) {
        self.process = process
        self.base = base
        self.session = session
    }

    /// Starts chromedriver on a free port and opens a headless browser session.
    static func start() async throws -> WebDriver {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromedriver)
        process.arguments = ["--port=\(port)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // Ready once it says so on its standard output (until then its port refuses connections).
        let (lines, sink) = AsyncStream.makeStream(of: String.self)
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                sink.finish()
            } else {
                sink.yield(String(decoding: data, as: UTF8.self))
            }
        }
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        try await withTimeout(.seconds(30), "chromedriver to start") {
            var said = ""
            for await text in lines {
                said += text
                if said.contains("started successfully") { return }
            }
            throw Failure(description: "chromedriver ended before it started: \(said)")
        }
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": .string(chromium),
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"],
                    ],
                ]
            ]
        ]
        let created = try await call(base, "POST", "/session", capabilities)
        guard let session = created.objectValue?["sessionId"]?.stringValue else { throw Failure(description: "no session: \(created)") }
        return WebDriver(process: process, base: base, session: session)
    }

    /// Closes the browser and stops chromedriver.
    func quit() async {
        _ = try? await Self.call(base, "DELETE", "/session/\(session)", nil)
        process.terminate()
    }

    func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": .string(url)]) }

    func currentURL() async throws -> String { try await command("GET", "/url", nil).stringValue ?? "" }

    /// The element matching a CSS selector (an error when there is none).
    func element(_ selector: String) async throws -> String {
        let found = try await command("POST", "/element", ["using": "css selector", "value": .string(selector)])
        guard let id = found.objectValue?.values.first?.stringValue else { throw Failure(description: "no element \(selector)") }
        return id
    }

    func elements(_ selector: String) async throws -> Int {
        try await command("POST", "/elements", ["using": "css selector", "value": .string(selector)]).arrayValue?.count ?? 0
    }

    func type(_ selector: String, _ text: String) async throws {
        let id = try await element(selector)
        _ = try await command("POST", "/element/\(id)/value", ["text": .string(text)])
    }

    func click(_ selector: String) async throws {
        let id = try await element(selector)
        _ = try await command("POST", "/element/\(id)/click", [:])
    }

    func text(_ selector: String) async throws -> String {
        let id = try await element(selector)
        return try await command("GET", "/element/\(id)/text", nil).stringValue ?? ""
    }

    func cookies() async throws -> [JSONValue] { try await command("GET", "/cookie", nil).arrayValue ?? [] }

    /// Waits in the browser until the text of `selector` is `text`: a script that resolves when a
    /// change to the page (a MutationObserver) makes it so. The dashboard updates itself; nothing
    /// here reloads it.
    func waitForText(_ selector: String, _ text: String, timeout: Duration = .seconds(30)) async throws {
        let script = """
            const [selector, expected, done] = arguments;
            const holds = () => { const e = document.querySelector(selector); return e !== null && e.textContent.trim() === expected; };
            if (holds()) { done(true); return; }
            const observer = new MutationObserver(() => { if (holds()) { observer.disconnect(); done(true); } });
            observer.observe(document, { subtree: true, childList: true, characterData: true });
            """
        try await withTimeout(timeout, "'\(selector)' to read '\(text)'") {
            try await self.setScriptTimeout(timeout)
            _ = try await self.command("POST", "/execute/async", ["script": .string(script), "args": [.string(selector), .string(text)]])
        }
    }

    /// Waits until a page whose path starts with `prefix` has loaded. Each look is a script that
    /// waits in the browser for the page's next event: its `load` (then the path is checked) or its
    /// `pagehide` (a navigation or redirect under way: look again on the next page, which WebDriver
    /// lets load before it runs the script).
    func waitForPath(_ prefix: String, timeout: Duration = .seconds(30)) async throws {
        let script = """
            const [prefix, done] = arguments;
            const matches = () => location.pathname.startsWith(prefix);
            if (document.readyState === 'complete') {
                if (matches()) { done(true); return; }
            } else {
                window.addEventListener('load', () => { if (matches()) done(true); });
            }
            window.addEventListener('pagehide', () => done(false));
            """
        try await withTimeout(timeout, "a page at '\(prefix)'") {
            try await self.setScriptTimeout(timeout)
            while true {
                do {
                    let found = try await self.command("POST", "/execute/async", ["script": .string(script), "args": [.string(prefix)]])
                    if found == .bool(true) { return }
                } catch {
                    // The page went away under the script; a browser that is gone fails here instead.
                    _ = try await self.currentURL()
                }
            }
        }
    }

    private func setScriptTimeout(_ timeout: Duration) async throws {
        _ = try await command("POST", "/timeouts", ["script": .int(Int(timeout.components.seconds * 1000))])
    }

    private func command(_ method: String, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        try await Self.call(base, method, "/session/\(session)" + path, body)
    }

    private static func call(_ base: String, _ method: String, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(string: String(decoding: try JSONEncoder().encode(body), as: UTF8.self))) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let decoded = try JSONDecoder().decode([String: JSONValue].self, from: Data(String(buffer: bytes).utf8))
        let value = decoded["value"] ?? .null
        guard response.status.code < 300 else { throw Failure(description: "\(method) \(path): \(response.status.code) \(value)") }
        return value
    }

    /// A port nothing listens on now (bound, read and closed).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
