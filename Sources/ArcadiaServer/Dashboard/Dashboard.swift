import AccessControl
import ArcadiaStorage
import Billing
import CloudOps
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Mustache
import SagaEngine

/// The web dashboard: server-rendered HTML (swift-mustache) under `/ui`, over the same saga
/// facade and stores as the JSON API. A browser logs in with an API token once and then holds a
/// session cookie (Secure, HttpOnly, SameSite=Strict) naming a session that hummingbird-auth's
/// ``SessionStorage`` keeps in the database; every form carries the session's CSRF token. Pages of running sagas update themselves (a small script re-fetches the page and
/// swaps its live part) until the sagas end.
struct Dashboard: Sendable {
    typealias Context = ArcadiaRequestContext

    let engine: SagaEngine
    let store: any ArcadiaStore
    let inventorySync: InventorySync?
    let issuer: TokenIssuer
    let sessions: SessionStorage<WebSession>
    /// How long a session lasts from login.
    let sessionLifetime: Duration
    let throttle: AuthThrottle
    let library: MustacheLibrary
    let secureCookies: Bool
    let logger: Logger

    static let maxFormBytes = 64 * 1024

    /// The session cookie's name: `__Host-` bound to this host (no subdomain may set or read it)
    /// whenever it is `Secure`.
    static func sessionCookie(secure: Bool) -> String { secure ? "__Host-arcadia_session" : "arcadia_session" }

    /// The dashboard's session storage in `store`: hummingbird-auth's ``SessionStorage`` over
    /// ``WebSessionPersistDriver``, its cookie host-only, `Secure` when `secure`, `HttpOnly` and
    /// `SameSite=Strict`.
    static func sessionStorage(store: any WebSessionStore, secure: Bool) -> SessionStorage<WebSession> {
        SessionStorage(
            WebSessionPersistDriver(store: store),
            configuration: SessionStorageConfiguration(
                sessionCookieParameters: SessionCookieParameters(name: sessionCookie(secure: secure), path: "/", secure: secure, sameSite: .strict),
                keyPrefix: "dashboard."))
    }
    /// The login form's double-submit cookie.
    var loginCookie: String { secureCookies ? "__Host-arcadia_login_csrf" : "arcadia_login_csrf" }

    /// Whether a path belongs to the dashboard (the API middleware leaves those alone).
    static func serves(_ path: String) -> Bool { path == "/" || path == "/ui" || path.hasPrefix("/ui/") }

    /// The saga facade for a signed-in browser's token.
    func sagas(_ session: DashboardSession) -> EngineSagaOperations {
        EngineSagaOperations(engine: engine, triggeredBy: "dashboard", caller: session.token)
    }
    var inventory: StoreInventoryOperations {
        StoreInventoryOperations(store: store, inventorySync: inventorySync, trigger: "dashboard", now: { [engine] in engine.clock.now })
    }

    func register(on router: Router<Context>) {
        router.get("/") { _, _ in Self.redirect("/ui/sagas") }
        router.get("/ui") { _, _ in Self.redirect("/ui/sagas") }
        router.get("/ui/login") { request, _ in loginPage(request) }
        router.post("/ui/login") { request, context in try await login(request, context: context) }
        router.post("/ui/logout") { request, _ in
            try await form(request) { _, _ in
                // The stored session goes: a copy of the cookie is no session any more.
                var response = Self.redirect("/ui/login")
                response.setCookie(try await sessions.delete(request: request))
                return response
            }
        }
        router.get("/ui/sagas") { request, _ in try await page(request) { try await sagasPage(request, session: $0) } }
        router.post("/ui/sagas") { request, _ in try await form(request, permission: .operateSagas) { try await startSaga($0, session: $1) } }
        router.get("/ui/sagas/:id") { request, context in
            try await page(request) { try await sagaPage(context.parameters.get("id") ?? "", request: request, session: $0) }
        }
        router.post("/ui/sagas/:id/:action") { request, context in
            try await form(request, permission: .operateSagas) { _, session in
                let id = context.parameters.get("id") ?? ""
                guard let action = context.parameters.get("action").flatMap(SagaAction.init(rawValue:)) else {
                    return render(
                        "error", title: "Not found", session: session, status: .notFound,
                        ["heading": "No such action", "message": "", "back": "/ui/sagas"])
                }
                do {
                    _ = try await sagas(session).perform(action, on: id)
                    return Self.redirect("/ui/sagas/\(id.lowercased())")
                } catch let error as APIError {
                    return failure(error, session: session, back: "/ui/sagas/\(id.lowercased())")
                }
            }
        }
        router.get("/ui/inventory") { request, _ in try await page(request) { try await inventoryPage(request, session: $0) } }
        router.post("/ui/inventory/sync") { request, _ in
            try await form(request, permission: .operateInventory) { _, session in
                do {
                    _ = try await inventory.sync()
                    return Self.redirect("/ui/inventory")
                } catch let error as APIError {
                    return failure(error, session: session, back: "/ui/inventory")
                }
            }
        }
        router.get("/ui/drift") { request, _ in try await page(request) { try await driftPage(session: $0) } }
        registerBilling(on: router)
    }

    // MARK: Sessions

    private func loginPage(_ request: Request, flash: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let csrf = Self.random()
        var response = render("login", title: "Log in", session: nil, flash: flash, status: status, ["loginCSRF": csrf])
        response.setCookie(cookie(loginCookie, csrf, maxAge: 600, path: "/"))
        return response
    }

    private func login(_ request: Request, context: Context) async throws -> Response {
        guard let fields = try await Self.fields(request) else {
            return loginPage(request, flash: "The form was too large or not a form.", status: .badRequest)
        }
        guard let expected = request.cookies[loginCookie]?.value, let given = fields["csrf"], !expected.isEmpty,
            ConstantTime.equal(expected, given)
        else {
            return loginPage(request, flash: "The login form expired; please try again.", status: .forbidden)
        }
        let token: AccessToken
        do {
            token = try await issuer.authenticate((fields["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        } catch let error as AccessError {
            if let wait = await throttle.recordFailure(context.clientKey) {
                logger.warning("too many failed dashboard logins", metadata: ["client": "\(context.clientKey)"])
                return loginPage(request, flash: "Too many failed logins from this address; try again in \(wait) s.", status: .tooManyRequests)
            }
            return loginPage(request, flash: error.message, status: .unauthorized)
        }
        await issuer.recordUse(token)
        // A new session id at every login (a session planted before it is not taken over); the
        // session this browser had ends.
        if sessions.getId(request: request) != nil { _ = try await sessions.delete(request: request) }
        let sessionCookie = try await sessions.save(session: WebSession(tokenID: token.id, csrf: Self.random()), expiresIn: sessionLifetime)
        // A tenant token's dashboard is its own tenant's page.
        var response = Self.redirect(token.role == .tenant ? "/ui/tenants/\(token.tenantID ?? "")" : "/ui/sagas")
        response.setCookie(sessionCookie)
        response.setCookie(cookie(loginCookie, "", maxAge: 0, path: "/"))
        logger.info("dashboard login", metadata: ["token.prefix": "\(token.prefix)", "role": "\(token.role.rawValue)"])
        return response
    }

    /// A page for a signed-in browser; others are sent to the login page. Tenant tokens see
    /// their own pages when billing lands; until then the operator pages refuse them.
    func page(_ request: Request, _ build: (DashboardSession) async throws -> Response) async throws -> Response {
        guard let session = try await session(request) else { return Self.redirect("/ui/login") }
        guard session.token.allows(.read) else {
            return render(
                "error", title: "Refused", session: session, status: .forbidden,
                ["heading": "Refused", "message": "a \(session.token.role.rawValue) token may not see the operator dashboard", "back": "/ui/login"])
        }
        return try await build(session)
    }

    /// A form post from a signed-in browser, with its CSRF token checked, and its role allowed
    /// `permission` when given.
    func form(
        _ request: Request, permission: Permission? = nil, _ handle: ([String: String], DashboardSession) async throws -> Response
    ) async throws -> Response {
        guard let session = try await session(request) else { return Self.redirect("/ui/login") }
        guard let fields = try await Self.fields(request) else {
            return render(
                "error", title: "Bad form", session: session, status: .badRequest,
                ["heading": "Bad form", "message": "The form was too large or not a form.", "back": "/ui/sagas"])
        }
        guard let given = fields["csrf"], !given.isEmpty, ConstantTime.equal(given, session.csrf) else {
            return render(
                "error", title: "Refused", session: session, status: .forbidden,
                ["heading": "Refused", "message": "the form's CSRF token is missing or wrong; reload the page and try again", "back": "/ui/sagas"])
        }
        if let permission, !session.token.allows(permission) {
            return render(
                "error", title: "Refused", session: session, status: .forbidden,
                ["heading": "Refused", "message": "a \(session.token.role.rawValue) token may not do that", "back": "/ui/sagas"])
        }
        return try await handle(fields, session)
    }

    /// The browser's session: its stored session, unexpired, opened with a token that is still
    /// live; nil otherwise (the browser is sent to log in). A session whose token was revoked is
    /// removed.
    func session(_ request: Request) async throws -> DashboardSession? {
        let stored: WebSession?
        do {
            stored = try await sessions.load(request: request)
        } catch is SessionStorage<WebSession>.Error {
            return nil
        }
        guard let stored else { return nil }
        guard let (token, _) = try await store.tokenWithHash(id: stored.tokenID), token.revokedAt == nil else {
            _ = try await sessions.delete(request: request)
            return nil
        }
        return DashboardSession(token: token, csrf: stored.csrf)
    }

    // MARK: Pages

    private func sagasPage(_ request: Request, session: DashboardSession) async throws -> Response {
        let status = request.uri.queryParameters["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        let page: SagaPage
        do {
            page = try await sagas(session).list(SagaQuery(status: status, cursor: cursor, limit: 50))
        } catch let error as APIError {
            return failure(error, session: session, back: "/ui/sagas")
        }
        var filters: [[String: Any]] = [["label": "all", "query": "", "active": status == nil]]
        for each in SagaStatus.allCases {
            filters.append(["label": each.rawValue, "query": "?status=\(each.rawValue)", "active": status == each.rawValue])
        }
        // A tenant's lifecycle templates are offered to admins only (the facade refuses others).
        let startable = engine.registry.templates.filter { TenantAction(template: $0.name) == nil || session.token.allows(.administer) }
        let templates: [[String: Any]] = startable.map { template in
            [
                "name": template.name, "summary": template.summary,
                "inputs": template.inputs.map { "\($0.name) (\($0.type.rawValue)\($0.isRequired ? ", required" : ""))" },
            ]
        }
        return render(
            "sagas", title: "Sagas", session: session,
            [
                "sagas": page.sagas.map(DashboardViews.sagaRow), "filters": filters, "filtered": status != nil,
                "nextCursor": page.nextCursor as Any, "statusQuery": status.map { "status=\($0)&" } ?? "",
                "settled": page.sagas.allSatisfy { SagaStatus(rawValue: $0.status)?.isTerminal == true },
                "canOperate": session.token.allows(.operateSagas), "templates": templates,
            ])
    }

    private func startSaga(_ fields: [String: String], session: DashboardSession) async throws -> Response {
        var inputs: [String: JSONValue] = [:]
        for line in (fields["inputs"] ?? "").split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                return failure(APIError.badRequest("input '\(text.prefix(64))' is not key=value"), session: session, back: "/ui/sagas")
            }
            inputs[String(text[..<equals])] = .string(String(text[text.index(after: equals)...]))
        }
        let key = fields["idempotency_key"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let started = try await sagas(session).start(SagaStartRequest(template: fields["template"] ?? "", inputs: inputs, idempotencyKey: key))
            return Self.redirect("/ui/sagas/\(started.saga.id)")
        } catch let error as APIError {
            return failure(error, session: session, back: "/ui/sagas")
        }
    }

    private func sagaPage(_ id: String, request: Request, session: DashboardSession) async throws -> Response {
        let saga: SagaJSON
        do {
            saga = try await sagas(session).detail(id)
        } catch let error as APIError {
            return failure(error, session: session, back: "/ui/sagas")
        }
        var values = DashboardViews.sagaPage(saga, now: engine.clock.now)
        values["canOperate"] = session.token.allows(.operateSagas)
        return render("saga", title: saga.template, session: session, values)
    }

    private func inventoryPage(_ request: Request, session: DashboardSession) async throws -> Response {
        let kind = request.uri.queryParameters["kind"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let deleted = request.uri.queryParameters["deleted"] == "1"
        let shown: [CloudResource]
        do {
            shown = try await inventory.resources(kind: kind, includeDeleted: deleted)
        } catch let error as APIError {
            return failure(error, session: session, back: "/ui/inventory")
        }
        let all = kind == nil ? shown : try await inventory.resources(kind: nil, includeDeleted: deleted)
        let counts = Dictionary(grouping: all, by: \.kind).mapValues(\.count)
        let lastRun = try await inventory.runs(limit: 1).first
        return render(
            "inventory", title: "Inventory", session: session,
            [
                "resources": shown.map(DashboardViews.resourceRow), "total": all.count, "allKinds": kind == nil, "kind": kind as Any,
                "kinds": counts.keys.sorted().map { ["name": $0, "count": counts[$0] ?? 0, "active": $0 == kind] as [String: Any] },
                "lastSync": lastRun.map { "\(DashboardViews.time($0.startedAt)) (\($0.status.rawValue), \($0.trigger))" } as Any,
                "canSync": session.token.allows(.operateInventory),
            ])
    }

    private func driftPage(session: DashboardSession) async throws -> Response {
        let report = try await inventory.drift()
        let groups: [[String: Any]] = [
            ("missing", "Missing: recorded as provisioned, gone from DigitalOcean", report.missing),
            ("changed", "Changed: differs from what was provisioned", report.changed),
            ("orphaned", "Orphaned: on DigitalOcean, provisioned by no saga", report.orphaned),
        ].map { name, title, items in
            ["name": name, "title": title, "count": items.count, "items": items.map(DashboardViews.driftRow)]
        }
        return render(
            "drift", title: "Drift", session: session,
            [
                "groups": groups, "inSync": report.inSync, "unverified": report.unverified,
                "lastSync": report.lastSyncAt.map(DashboardViews.time) as Any,
            ])
    }

    // MARK: Rendering

    func failure(_ error: APIError, session: DashboardSession, back: String) -> Response {
        render(
            "error", title: "Error", session: session, status: HTTPResponse.Status(code: error.status),
            ["heading": error.code.replacingOccurrences(of: "_", with: " "), "message": error.message, "details": error.details, "back": back])
    }

    func render(
        _ name: String, title: String, session: DashboardSession?, flash: String? = nil, status: HTTPResponse.Status = .ok,
        _ values: [String: Any]
    ) -> Response {
        var context = values
        context["title"] = title
        context["signedIn"] = session != nil
        context["reader"] = session?.token.allows(.read) == true
        context["ownTenant"] = session?.token.role == .tenant ? session?.token.tenantID ?? "" : ""
        context["csrf"] = session?.csrf ?? ""
        context["tokenName"] = session?.token.name ?? ""
        context["role"] = session?.token.role.rawValue ?? ""
        if let flash { context["flash"] = flash }
        context["body"] = library.render(context, withTemplate: name) ?? ""
        let html = library.render(context, withTemplate: "layout") ?? ""
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        // The one inline script is allowed by its hash: an injected script would not run.
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; style-src 'unsafe-inline'; script-src '\(DashboardTemplates.scriptHash)'; frame-ancestors 'none'; form-action 'self'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, path: String) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// The fields of a form post (`application/x-www-form-urlencoded`), or nil when it is not
    /// one or is over the size limit.
    static func fields(_ request: Request) async throws -> [String: String]? {
        var request = request
        guard let body = try? await request.collectBody(upTo: maxFormBytes) else { return nil }
        let text = String(buffer: body)
        var fields: [String: String] = [:]
        // Any field that does not decode refuses the whole form: a dropped value must not
        // silently change what is done (an idempotency key, the inputs).
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = parts.first.flatMap(decode) else { return nil }
            if parts.count > 1 {
                guard let value = decode(parts[1]) else { return nil }
                fields[name] = value
            } else {
                fields[name] = ""
            }
        }
        return fields
    }

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
