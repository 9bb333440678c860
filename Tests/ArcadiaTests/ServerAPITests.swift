import AccessControl
import ArcadiaServer
import ArcadiaStorage
import AsyncHTTPClient
import CloudOps
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import SagaEngine
import Synchronization
import TestSupport
import Testing

/// The JSON API over real HTTP (port 0): every route, roles allowed and refused, bad input.
@Suite("Server API", .timeLimit(.minutes(3)))
struct ServerAPITests {
    struct Tokens: Sendable {
        var admin: String
        var operatorToken: String
        var viewer: String
        var tenant: String
        var revoked: String
    }

    /// Runs `body` against a server on a fresh database (its URL the last argument) with a worker,
    /// and one token per role.
    static func withServer(
        _ backend: Backend, maxBodyBytes: Int = 1 << 20,
        _ body: @Sendable (any TestClientProtocol, Tokens, SagaEngine, any ArcadiaStore, String) async throws -> Void
    ) async throws {
        try await TestDatabase.withStore(backend) { store, databaseURL in
            // The cloud templates without DigitalOcean clients: they start (billing's lifecycle) and fail.
            var registry = SagaRegistry.testing
            registry.registerCloudTemplates(CloudServices(provisioning: nil, inventory: nil, store: store, configuration: CloudConfiguration()))
            let engine = SagaEngine(store: store, registry: registry, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger)
            let issuer = TokenIssuer(store: store)
            let revoked = try await issuer.issue(name: "old", role: .admin)
            _ = try await store.revokeToken(id: revoked.token.id, at: Date())
            let tokens = Tokens(
                admin: try await issuer.issue(name: "a", role: .admin).secret,
                operatorToken: try await issuer.issue(name: "o", role: .operator).secret,
                viewer: try await issuer.issue(name: "v", role: .viewer).secret,
                tenant: try await issuer.issue(name: "t", role: .tenant, tenantID: "acme").secret, revoked: revoked.secret)
            let app = try buildApplication(
                configuration: ServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes), engine: engine, store: store, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 2)).run() }
                defer { group.cancelAll() }
                try await app.test(.live) { client in try await body(client, tokens, engine, store, databaseURL) }
            }
        }
    }

    static func headers(_ token: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields[.contentType] = "application/json"
        return fields
    }

    static func json(_ response: TestResponse) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(String(buffer: response.body).utf8))
    }

    /// The error object of an error response, checked for its shape.
    static func error(_ response: TestResponse) throws -> (code: String, message: String) {
        let object = try json(response)
        let error = try #require(object["error"]?.objectValue)
        return (try #require(error["code"]?.stringValue), try #require(error["message"]?.stringValue))
    }

    @Test("an API change is logged with its request id, the saga it started with its saga id too, and never the token")
    func requestLog() async throws {
        try await TestDatabase.withStore(.sqlite) { store, _ in
            let capture = LogCapture()
            let logger = Logger(label: "arcadia.test") { _ in capture }
            let engine = SagaEngine(store: store, registry: .testing, configuration: TestDatabase.fastConfiguration, logger: logger)
            let (_, secret) = try await TokenIssuer(store: store).issue(name: "o", role: .operator)
            let app = try buildApplication(configuration: ServerConfiguration(port: 0), engine: engine, store: store, logger: logger)
            try await app.test(.router) { client in
                var headers = Self.headers(secret)
                headers[HTTPField.Name("X-Request-Id")!] = "req-log-1"
                let response = try await client.execute(
                    uri: "/api/v1/sagas", method: .post, headers: headers, body: ByteBuffer(string: #"{"template": "test-echo"}"#))
                #expect(response.status == .created)
                let id = try #require(try Self.json(response)["id"]?.stringValue)
                let lines = capture.text.split(separator: "\n")
                #expect(lines.contains { $0.contains("saga started") && $0.contains("req-log-1") && $0.contains(id) }, "\(capture.text)")
                #expect(lines.contains { $0.contains("api request") && $0.contains("req-log-1") && $0.contains("201") })
                #expect(!capture.text.contains(secret.dropFirst(8)))
            }
        }
    }

    @Test("healthz needs no token; every other route needs a valid one (missing, malformed, unknown, revoked: 401 JSON)", arguments: Backend.enabled)
    func authentication(backend: Backend) async throws {
        try await Self.withServer(backend) { client, tokens, _, store, _ in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(try health.status == .ok && (Self.json(health))["status"] == "ok")
            #expect(health.headers[HTTPField.Name("X-Request-Id")!] != nil)
            for token in [nil, "", "nonsense", "arc_" + String(repeating: "x", count: 43), tokens.revoked] {
                let response = try await client.execute(uri: "/api/v1/sagas", method: .get, headers: Self.headers(token))
                #expect(response.status == .unauthorized, "\(token ?? "nil")")
                let error = try Self.error(response)
                #expect(error.code == "unauthorized")
                if let token, token.count > 10 { #expect(!error.message.contains(token)) }
            }
            // A request id that arrives is kept.
            var fields = Self.headers(tokens.viewer)
            fields[HTTPField.Name("X-Request-Id")!] = "req-123"
            let kept = try await client.execute(uri: "/api/v1/templates", method: .get, headers: fields)
            #expect(kept.status == .ok && kept.headers[HTTPField.Name("X-Request-Id")!] == "req-123")
            // A use is recorded on the token.
            let used = try await store.tokens().first { $0.prefix == String(tokens.viewer.prefix(8)) }
            #expect(used?.lastUsedAt != nil)
        }
    }

    @Test(
        "sagas: start (201, or 200 for a known idempotency key), read with steps and events, list with filters; roles enforced",
        arguments: Backend.enabled)
    func sagas(backend: Backend) async throws {
        try await Self.withServer(backend) { client, tokens, engine, _, _ in
            let body = #"{"template": "test-echo", "inputs": {"steps": 2}, "idempotency_key": "api-1"}"#
            for token in [tokens.viewer, tokens.tenant] {
                let refused = try await client.execute(
                    uri: "/api/v1/sagas", method: .post, headers: Self.headers(token), body: ByteBuffer(string: body))
                #expect(try refused.status == .forbidden && (Self.error(refused)).code == "forbidden")
            }
            let created = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.operatorToken), body: ByteBuffer(string: body))
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try Self.json(created)["id"]?.stringValue)
            let again = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.admin), body: ByteBuffer(string: body))
            #expect(try again.status == .ok && (Self.json(again))["id"]?.stringValue == id)
            _ = try await engine.waitUntilTerminal(try #require(UUID(uuidString: id)))

            let shown = try await client.execute(uri: "/api/v1/sagas/\(id)", method: .get, headers: Self.headers(tokens.viewer))
            #expect(shown.status == .ok)
            let saga = try Self.json(shown)
            #expect(saga["status"] == "completed" && saga["template"] == "test-echo" && saga["steps"]?.arrayValue?.count == 2)
            #expect((saga["events"]?.arrayValue?.count ?? 0) > 0 && saga["context"]?.objectValue?["echoed_at_step_1"] == "hello")
            // The same object `saga show --json` prints.
            let detail = try await engine.detail(try #require(UUID(uuidString: id)))
            #expect(.object(saga) == (try JSONDecoder().decode(JSONValue.self, from: Data(SagaJSON.render(SagaJSON(detail)).utf8))))

            let listed = try await client.execute(
                uri: "/api/v1/sagas?status=completed&template=test-echo", method: .get, headers: Self.headers(tokens.viewer))
            #expect(try listed.status == .ok && (Self.json(listed))["sagas"]?.arrayValue?.count == 1)
            let none = try await client.execute(
                uri: "/api/v1/sagas?template=x%27%3B%20DROP%20TABLE%20saga_runs%3B--", method: .get, headers: Self.headers(tokens.viewer))
            #expect(try none.status == .ok && (Self.json(none))["sagas"] == .array([]))
            // Pages: a cursor walks the rest, newest first, without repeats.
            for index in 0..<4 {
                _ = try await client.execute(
                    uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.admin),
                    body: ByteBuffer(string: #"{"template": "test-echo", "inputs": {"steps": 1, "message": "m\#(index)"}}"#))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.execute(
                    uri: "/api/v1/sagas?kind=test&template=test-echo&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), method: .get,
                    headers: Self.headers(tokens.viewer))
                let object = try Self.json(page)
                seen += object["sagas"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
                cursor = object["next_cursor"]?.stringValue
            } while cursor != nil && seen.count < 20
            #expect(seen.count == 5 && Set(seen).count == 5 && seen.last == id)
            let badCursor = try await client.execute(uri: "/api/v1/sagas?cursor=zzz", method: .get, headers: Self.headers(tokens.viewer))
            #expect(badCursor.status == .badRequest)
            // A cursor of the right shape that names no saga: 400, not an empty page.
            let unknownCursor = try await client.execute(
                uri: "/api/v1/sagas?cursor=\(UUID().uuidString)", method: .get, headers: Self.headers(tokens.viewer))
            #expect(try unknownCursor.status == .badRequest && Self.error(unknownCursor).message.contains("names no saga"))
            // Keys starting with "arcadia:" are Arcadia's own (a tenant's lifecycle): nobody can claim one first.
            let reserved = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.admin),
                body: ByteBuffer(string: #"{"template": "test-echo", "idempotency_key": "arcadia:offboard:d1:after:none"}"#))
            #expect(try reserved.status == .badRequest && Self.error(reserved).message.contains("arcadia:"))
            // A tenant's lifecycle sagas are an admin's, through the generic route too.
            let lifecycle = #"{"template": "offboard-deployment", "inputs": {"deployment_id": "d1"}}"#
            let operatorLifecycle = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.operatorToken), body: ByteBuffer(string: lifecycle))
            #expect(operatorLifecycle.status == .forbidden)
            let adminLifecycle = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.admin), body: ByteBuffer(string: lifecycle))
            #expect(adminLifecycle.status == .created)
            let tenantRead = try await client.execute(uri: "/api/v1/sagas/\(id)", method: .get, headers: Self.headers(tokens.tenant))
            #expect(tenantRead.status == .forbidden)

            let templates = try await client.execute(uri: "/api/v1/templates", method: .get, headers: Self.headers(tokens.viewer))
            let echo = try #require(try Self.json(templates)["templates"]?.arrayValue?.first { $0.objectValue?["name"] == "test-echo" }?.objectValue)
            #expect(echo["inputs"]?.arrayValue?.contains { $0.objectValue?["name"] == "steps" && $0.objectValue?["required"] == false } == true)
        }
    }

    @Test(
        "bad input is a clear 4xx, never a 5xx: malformed JSON, wrong types, unknown template or inputs, oversized body, bad ids and filters",
        arguments: Backend.enabled)
    func badInput(backend: Backend) async throws {
        try await Self.withServer(backend, maxBodyBytes: 4096) { client, tokens, _, _, _ in
            let cases: [(String, HTTPRequest.Method, String?, HTTPResponse.Status, String)] = [
                ("/api/v1/sagas", .post, #"{"template": "test-echo""#, .badRequest, "bad_request"),
                ("/api/v1/sagas", .post, #"{"template": 5}"#, .badRequest, "bad_request"),
                ("/api/v1/sagas", .post, #"{"inputs": {}}"#, .badRequest, "bad_request"),
                ("/api/v1/sagas", .post, #"{"template": "no-such-template"}"#, .unprocessableContent, "unknown_template"),
                (
                    "/api/v1/sagas", .post, #"{"template": "test-echo", "inputs": {"steps": "many", "colour": 1}}"#, .unprocessableContent,
                    "invalid_inputs"
                ),
                (
                    "/api/v1/sagas", .post, #"{"template": "test-echo", "inputs": {"message": "\#(String(repeating: "x", count: 5000))"}}"#,
                    .contentTooLarge, "payload_too_large"
                ),
                ("/api/v1/sagas/not-a-uuid", .get, nil, .notFound, "not_found"),
                ("/api/v1/sagas/\(UUID().uuidString)", .get, nil, .notFound, "not_found"),
                ("/api/v1/sagas?status=sideways", .get, nil, .badRequest, "bad_request"),
                ("/api/v1/sagas?limit=0", .get, nil, .badRequest, "bad_request"),
                ("/api/v1/sagas?limit=abc", .get, nil, .badRequest, "bad_request"),
                ("/api/v1/no-such-route", .get, nil, .notFound, "not_found"),
            ]
            for (uri, method, body, status, code) in cases {
                let response = try await client.execute(
                    uri: uri, method: method, headers: Self.headers(tokens.admin), body: body.map { ByteBuffer(string: $0) })
                #expect(
                    response.status == status, "\(method) \(uri.prefix(60)) \(body?.prefix(60) ?? ""): \(String(buffer: response.body).prefix(300))")
                #expect((try? Self.error(response))?.code == code, "\(uri.prefix(60)): \(String(buffer: response.body).prefix(300))")
            }
            // Invalid inputs name each problem.
            let invalid = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.admin),
                body: ByteBuffer(string: #"{"template": "test-echo", "inputs": {"steps": "many", "colour": 1}}"#))
            let details = try Self.json(invalid)["error"]?.objectValue?["details"]?.arrayValue ?? []
            #expect(details.count == 2)
        }
    }

    @Test("saga operations, inventory and drift routes: roles, 404 and 409, and 503 without an inventory token", arguments: Backend.enabled)
    func operationsAndInventory(backend: Backend) async throws {
        try await Self.withServer(backend) { client, tokens, engine, _, _ in
            let started = try await client.execute(
                uri: "/api/v1/sagas", method: .post, headers: Self.headers(tokens.operatorToken),
                body: ByteBuffer(string: #"{"template": "test-sleep", "inputs": {"seconds": 3600}}"#))
            let id = try #require(try Self.json(started)["id"]?.stringValue)
            let refused = try await client.execute(uri: "/api/v1/sagas/\(id)/cancel", method: .post, headers: Self.headers(tokens.viewer))
            #expect(refused.status == .forbidden)
            let cancelled = try await client.execute(uri: "/api/v1/sagas/\(id)/cancel", method: .post, headers: Self.headers(tokens.operatorToken))
            #expect(try cancelled.status == .ok && (Self.json(cancelled))["id"]?.stringValue == id)
            let saga = try await engine.waitUntilTerminal(try #require(UUID(uuidString: id)))
            #expect(saga.status == .rolledBack)
            let resumed = try await client.execute(uri: "/api/v1/sagas/\(id)/resume", method: .post, headers: Self.headers(tokens.admin))
            #expect(try resumed.status == .conflict && (Self.error(resumed)).code == "invalid_transition")
            let unknown = try await client.execute(uri: "/api/v1/sagas/\(UUID().uuidString)/kill", method: .post, headers: Self.headers(tokens.admin))
            #expect(unknown.status == .notFound)

            let inventory = try await client.execute(
                uri: "/api/v1/inventory?include_deleted=true", method: .get, headers: Self.headers(tokens.viewer))
            #expect(try inventory.status == .ok && (Self.json(inventory))["resources"] == .array([]))
            let badKind = try await client.execute(uri: "/api/v1/inventory?kind=droplets", method: .get, headers: Self.headers(tokens.viewer))
            #expect(try badKind.status == .badRequest && (Self.error(badKind)).message.contains("droplets"))
            let drift = try await client.execute(uri: "/api/v1/drift", method: .get, headers: Self.headers(tokens.viewer))
            let report = try Self.json(drift)
            #expect(drift.status == .ok && report["in_sync"] == 0 && report["missing"] == .array([]))
            let syncRefused = try await client.execute(uri: "/api/v1/inventory/sync", method: .post, headers: Self.headers(tokens.viewer))
            #expect(syncRefused.status == .forbidden)
            let noToken = try await client.execute(uri: "/api/v1/inventory/sync", method: .post, headers: Self.headers(tokens.operatorToken))
            #expect(try noToken.status == .serviceUnavailable && (Self.error(noToken)).message.contains("ARCADIA_DO_TOKEN_INVENTORY"))
            for uri in ["/api/v1/inventory", "/api/v1/drift", "/api/v1/inventory/runs"] {
                let tenant = try await client.execute(uri: uri, method: .get, headers: Self.headers(tokens.tenant))
                #expect(tenant.status == .forbidden, "\(uri)")
            }
        }
    }

    @Test("every route in openapi.yaml is served, and nothing else is")
    func documentMatchesRoutes() async throws {
        let document = try String(
            contentsOfFile: #filePath.replacingOccurrences(of: "Tests/ArcadiaTests/ServerAPITests.swift", with: "openapi.yaml"), encoding: .utf8)
        // path → methods, read from the document's `paths:` block.
        var routes: [(String, String)] = []
        var path: String?
        var inPaths = false
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths && !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") { path = String(line.dropFirst(2).dropLast()) }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("    ") && !line.hasPrefix("     "), let path, ["get:", "post:", "put:", "patch:", "delete:"].contains(trimmed) {
                routes.append((path, String(trimmed.dropLast())))
            }
        }
        #expect(routes.count >= 5)
        let documented = routes
        try await Self.withServer(.sqlite) { client, tokens, engine, store, _ in
            // The router's own list of what it serves, but for the dashboard's HTML pages, is the document's.
            let router = try buildRouter(configuration: ServerConfiguration(port: 0), engine: engine, store: store, logger: TestDatabase.logger)
            let served = Set(
                router.routes.filter { $0.path.description != "/" && !$0.path.description.hasPrefix("/ui") }.map {
                    "\($0.method.rawValue.lowercased()) \($0.path)"
                })
            #expect(
                served == Set(documented.map { "\($0.1) \($0.0)" }),
                "served but not documented: \(served.subtracting(documented.map { "\($0.1) \($0.0)" }))")
            for (path, method) in documented {
                let uri = path.replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{tenant}", with: "nobody")
                    .replacingOccurrences(of: "{period}", with: "2026-11")
                let response = try await client.execute(
                    uri: uri, method: HTTPRequest.Method(method.uppercased())!, headers: Self.headers(tokens.admin), body: ByteBuffer(string: "{}"))
                #expect(
                    response.status != .notFound || (try? Self.error(response))?.code == "not_found" && path.contains("{"),
                    "\(method) \(path) is not served")
                // Never a failure of the server (a sync without an inventory token is a 503 that says so).
                #expect(
                    response.status.code < 500 || (try? Self.error(response))?.code == "no_inventory_token", "\(method) \(path): \(response.status)")
            }
            for (uri, method) in [("/api/v1/sagas", HTTPRequest.Method.delete), ("/api/v1/secret", .get), ("/api", .get)] {
                let response = try await client.execute(uri: uri, method: method, headers: Self.headers(tokens.admin))
                #expect([.notFound, .methodNotAllowed].contains(response.status), "\(method) \(uri) is served but not documented")
            }
        }
    }

    @Test("arcadia serve --fake-do: prints an admin token once on first start, serves the API and runs sagas, stops on SIGTERM")
    func serveProcess() async throws {
        let serve = try await ServeProcess.start()
        defer { serve.cleanUp() }
        let (server, database, token, address) = (serve.process, serve.database, serve.token, serve.address)
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> (Int, [String: JSONValue]) {
            var request = HTTPClientRequest(url: String(address) + path)
            request.method = .init(rawValue: method)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let object = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(String(buffer: bytes).utf8))) ?? [:]
            return (Int(response.status.code), object)
        }
        #expect(try await call("GET", "/healthz").0 == 200)
        let (status, saga) = try await call("POST", "/api/v1/sagas", #"{"template": "test-echo", "inputs": {"steps": 2}}"#)
        #expect(status == 201)
        let id = try #require(saga["id"]?.stringValue)
        // The worker says when the saga is finished (its log, at debug level in tests).
        try await server.waitForLine(containing: "saga finished")
        let shown = try await call("GET", "/api/v1/sagas/\(id)").1
        #expect(shown["status"] == "completed")
        // Metrics in the Prometheus text format, from the engine that ran the saga.
        var metricsRequest = HTTPClientRequest(url: String(address) + "/metrics")
        metricsRequest.headers.add(name: "Authorization", value: "Bearer \(token)")
        let metrics = try await HTTPClient.shared.execute(metricsRequest, timeout: .seconds(30))
        let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
        #expect(metrics.status.code == 200 && text.contains("arcadia_saga") && text.contains("test-echo"), "\(text.prefix(500))")
        let templates = try await call("GET", "/api/v1/templates").1
        #expect(templates["templates"]?.arrayValue?.contains { $0.objectValue?["name"] == "provision-droplet" } == true)
        // The in-process simulator's account, synced through the API.
        let (synced, run) = try await call("POST", "/api/v1/inventory/sync")
        #expect(synced == 200 && run["status"] == "succeeded" && run["kinds"]?.objectValue?["droplet"] != nil, "\(run)")
        let (listedStatus, listed) = try await call("GET", "/api/v1/inventory?kind=project")
        #expect(listedStatus == 200 && listed["resources"]?.arrayValue?.isEmpty == false)
        let runs = try await call("GET", "/api/v1/inventory/runs").1
        #expect(runs["runs"]?.arrayValue?.count == 1)
        // DigitalOcean requests by purpose and status, the rate limit left, the sync's duration.
        let afterSync = try await HTTPClient.shared.execute(metricsRequest, timeout: .seconds(30))
        let metricsText = String(buffer: try await afterSync.body.collect(upTo: 1 << 20))
        for name in ["arcadia_do_requests_total", "arcadia_do_ratelimit_remaining", "arcadia_inventory_sync_duration_seconds"] {
            #expect(metricsText.contains(name), "\(name) missing")
        }
        #expect(metricsText.contains(#"purpose="inventory""#) && !metricsText.contains("droplet_id"))
        server.kill(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        // A second start finds the token: none printed again.
        let again = try ChildProcess(["serve", "--database", database, "--port", "0", "--sync-interval-seconds", "0"])
        defer { again.kill() }
        try await again.waitForLine(containing: "http.port=")
        #expect(!String(decoding: again.stdout.withLock { $0 }, as: UTF8.self).contains("admin token"))
        again.kill(SIGTERM)
        #expect(try await again.waitForExit() == 0)
    }

    @Test("arcadia demo runs its tour (provision, snapshot, DNS, a rollback leaving nothing, sync, drift), serves, and stops on SIGINT")
    func demo() async throws {
        let demo = try ChildProcess(["demo", "--port", "0"])
        defer { demo.kill() }
        // The tour ends with "tour done", or "tour stopped: …" (reported by the expectations below).
        let output = try await demo.waitForOutput(containing: "tour done", "tour stopped", timeout: .seconds(120))
        #expect(output.contains("tour done"), "\(output)")
        #expect(output.contains("admin token (shown once") && output.contains("listening on http://127.0.0.1:"))
        #expect(output.contains("[1/6] provision-droplet: completed") && output.contains("[2/6] snapshot-droplet: completed"))
        #expect(output.contains("[3/6] upsert-dns: completed") && output.contains("[4/6] provision-droplet: rolled_back"))
        #expect(output.contains("droplets left behind by the failed saga: 0"))
        #expect(output.contains("[5/6] inventory sync: succeeded") && output.contains("[6/6] drift: 0 missing, 0 changed, 0 orphaned"))
        demo.kill(SIGINT)
        #expect(try await demo.waitForExit() == 0)
    }

    @Test("the API's saga type, built field by field, encodes to exactly what SagaJSON renders: every field, nested values, dates")
    func sagaSchemaMatchesSagaJSON() throws {
        let text = #"""
            {"id": "6f1c2f0e-0000-4000-8000-000000000001", "template": "t", "kind": "cloud", "status": "blocked", "error": "it broke",
             "current_step": 1, "cancel_requested": true, "inputs": {"n": 2, "x": 1.5, "s": "a", "b": false, "z": null, "l": [1, "two", {"k": []}]},
             "context": {"nested": {"deep": {"deeper": [true]}}}, "step_names": ["a", "b"], "lock_keys": ["droplet:1"],
             "blocked_by": [{"key": "droplet:1", "saga_id": "6f1c2f0e-0000-4000-8000-000000000002", "template": "u", "status": "running"}],
             "idempotency_key": "k-1", "lease_owner": "host:1:abc", "run_at": "2026-11-02T10:00:00.123Z",
             "created_at": "2026-11-02T10:00:00.000Z", "updated_at": "2026-11-02T10:00:01.500Z", "finished_at": "2026-11-02T10:00:02.000Z",
             "steps": [{"index": 0, "name": "a", "status": "succeeded", "attempts": 2, "polls": 3, "compensation_attempts": 0,
                        "output": {"id": 42, "names": ["x"]}, "started_at": "2026-11-02T10:00:00.250Z", "finished_at": "2026-11-02T10:00:00.750Z"},
                       {"index": 1, "name": "b", "status": "failed", "attempts": 1, "polls": 0, "compensation_attempts": 1, "error": "no",
                        "compensated_at": "2026-11-02T10:00:01.000Z"}],
             "events": [{"at": "2026-11-02T10:00:00.000Z", "kind": "saga_started"}, {"at": "2026-11-02T10:00:01.000Z", "kind": "step_failed", "step": 1, "detail": "no"}]}
            """#
        let saga = try SagaJSON.parse(SagaJSON.self, from: Data(text.utf8))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Text.string(date))
        }
        let built = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(Components.Schemas.Saga(saga)))
        let rendered = try JSONDecoder().decode(JSONValue.self, from: Data(SagaJSON.render(saga).utf8))
        #expect(built == rendered)
        #expect(rendered == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
    }
}
