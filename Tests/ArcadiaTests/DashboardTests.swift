import AccessControl
import ArcadiaServer
import Billing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SagaEngine
import Testing

/// The web dashboard: in a real headless Chromium (log in, start a saga, watch it complete on its
/// page without a reload), and its sessions, CSRF checks and roles over plain HTTP.
@Suite("Dashboard", .timeLimit(.minutes(4)))
struct DashboardTests {
    @Test("in headless Chromium: log in with a token, start a saga, see it complete on its page, browse inventory and drift, log out")
    func browser() async throws {
        guard WebDriver.isInstalled else {
            // CI installs chromium and chromium-driver (scripts/test.sh); there the test must run.
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "chromium and chromedriver are not installed")
            return
        }
        try await ServerAPITests.withServer(.sqlite) { client, tokens, _, _, _ in
            // localhost: browsers keep Secure cookies from it over plain HTTP.
            let site = "http://localhost:\(try #require(client.port))"
            let browser = try await WebDriver.start()
            do {
                try await browser.open(site + "/ui/sagas")
                #expect(try await browser.currentURL().hasSuffix("/ui/login"))
                // A wrong token: the login page again, saying why.
                try await browser.type("#token", "arc_not-a-real-token")
                try await browser.click("#login")
                #expect(try await browser.text("#flash").contains("malformed"))
                try await browser.type("#token", tokens.operatorToken)
                try await browser.click("#login")
                try await browser.waitForPath("/ui/sagas", timeout: .seconds(10))
                let session = try await browser.cookies().first { $0.objectValue?["name"] == "__Host-arcadia_session" }?.objectValue
                #expect(
                    session?["httpOnly"] == true && session?["secure"] == true && session?["sameSite"] == "Strict", "\(String(describing: session))")
                // Start a saga from the form; its page follows it to the end by itself.
                try await browser.click("#template option[value='test-sleep']")
                try await browser.type("#inputs", "seconds=1")
                try await browser.click("#start")
                try await browser.waitForPath("/ui/sagas/", timeout: .seconds(10))
                try await browser.waitForText("#saga-status", "completed")
                #expect(try await browser.elements("#timeline .row") == 1)
                #expect(try await browser.text("#events").contains("saga_completed"))
                // The list shows it; inventory and drift pages render.
                try await browser.open(site + "/ui/sagas?status=completed")
                #expect(try await browser.text("#sagas").contains("test-sleep"))
                try await browser.open(site + "/ui/inventory")
                #expect(try await browser.text("h1") == "Inventory")
                try await browser.open(site + "/ui/drift")
                #expect(try await browser.text("h1") == "Drift")
                try await browser.click("#logout")
                // The click returns once the form is sent; the redirect may still be on its way.
                try await browser.waitForPath("/ui/login", timeout: .seconds(10))
                try await browser.open(site + "/ui/sagas")
                #expect(try await browser.currentURL().hasSuffix("/ui/login"))
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    /// Logs in over HTTP; answers the session cookie and the page's CSRF token.
    static func login(_ client: some TestClientProtocol, _ token: String) async throws -> (cookie: String, csrf: String) {
        let page = try await client.execute(uri: "/ui/login", method: .get)
        let loginCSRF = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
        let loginCookie = try #require(Self.cookie("__Host-arcadia_login_csrf", page))
        let response = try await client.execute(
            uri: "/ui/login", method: .post, headers: Self.form(cookie: "__Host-arcadia_login_csrf=\(loginCookie)"),
            body: ByteBuffer(string: "csrf=\(loginCSRF)&token=\(token)"))
        #expect(response.status == .seeOther && response.headers[.location] == "/ui/sagas", "\(String(buffer: response.body))")
        let cookie = try #require(Self.cookie("__Host-arcadia_session", response))
        let sagas = try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: "__Host-arcadia_session=\(cookie)"])
        return (cookie, try #require(Self.hidden("csrf", in: String(buffer: sagas.body))))
    }

    static func form(cookie: String) -> HTTPFields {
        [.contentType: "application/x-www-form-urlencoded", .cookie: cookie]
    }

    static func cookie(_ name: String, _ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }.map {
            String($0.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test(
        "sessions: cookies (tampered or token revoked: log in again), CSRF on every form, roles, and throttled guessing", arguments: Backend.enabled)
    func sessions(backend: Backend) async throws {
        try await ServerAPITests.withServer(backend) { client, tokens, _, store, _ in
            // Without a session every page sends the browser to log in.
            let anonymous = try await client.execute(uri: "/ui/sagas", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/ui/login")
            let (cookie, csrf) = try await Self.login(client, tokens.operatorToken)
            let set = try await client.execute(uri: "/ui/login", method: .get)
            #expect(set.headers[values: .setCookie].allSatisfy { $0.contains("HttpOnly") && $0.contains("Secure") && $0.contains("SameSite=Strict") })
            // The dashboard's saga start with the CSRF token works...
            let started = try await client.execute(
                uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(cookie)"),
                body: ByteBuffer(string: "csrf=\(csrf)&template=test-echo&inputs=steps%3D1"))
            #expect(started.status == .seeOther && started.headers[.location]?.hasPrefix("/ui/sagas/") == true)
            let page = try await client.execute(
                uri: started.headers[.location] ?? "", method: .get, headers: [.cookie: "__Host-arcadia_session=\(cookie)"])
            #expect(page.status == .ok && String(buffer: page.body).contains("test-echo"))
            // ...without it, or with another session's, nothing starts.
            for body in ["template=test-echo", "csrf=\(String(csrf.reversed()))&template=test-echo"] {
                let refused = try await client.execute(
                    uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(cookie)"), body: ByteBuffer(string: body))
                #expect(refused.status == .forbidden && String(buffer: refused.body).contains("CSRF"))
            }
            // Unknown template and bad inputs: a clear page, nothing started.
            let unknown = try await client.execute(
                uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(cookie)"),
                body: ByteBuffer(string: "csrf=\(csrf)&template=%3Cscript%3Ex"))
            #expect(unknown.status.code == 422 && String(buffer: unknown.body).contains("&lt;script&gt;x"))
            // A tampered cookie is no session.
            let tampered = try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: "__Host-arcadia_session=\(cookie)x"])
            #expect(tampered.status == .seeOther)
            // A tenant's lifecycle sagas are an admin's: not offered to an operator, and refused if posted anyway.
            let offered = try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: "__Host-arcadia_session=\(cookie)"])
            #expect(String(buffer: offered.body).contains("value=\"test-echo\"") && !String(buffer: offered.body).contains("offboard-deployment"))
            let lifecycle = try await client.execute(
                uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(cookie)"),
                body: ByteBuffer(string: "csrf=\(csrf)&template=offboard-deployment&inputs=deployment_id%3Dd1"))
            #expect(lifecycle.status == .forbidden && String(buffer: lifecycle.body).contains("for admins"))
            // A viewer sees pages but may not start sagas.
            let viewer = try await Self.login(client, tokens.viewer)
            let refused = try await client.execute(
                uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(viewer.cookie)"),
                body: ByteBuffer(string: "csrf=\(viewer.csrf)&template=test-echo"))
            #expect(refused.status == .forbidden)
            // Revoking the token ends its sessions.
            let all = try await store.tokens()
            let viewerToken = try #require(all.first { $0.name == "v" })
            _ = try await store.revokeToken(id: viewerToken.id, at: Date())
            let after = try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: "__Host-arcadia_session=\(viewer.cookie)"])
            #expect(after.status == .seeOther && after.headers[.location] == "/ui/login")
            // A form field that does not decode refuses the form (it is not dropped).
            let undecodable = try await client.execute(
                uri: "/ui/sagas", method: .post, headers: Self.form(cookie: "__Host-arcadia_session=\(cookie)"),
                body: ByteBuffer(string: "csrf=\(csrf)&template=test-echo&idempotency_key=%ZZ"))
            #expect(undecodable.status == .badRequest)
            // Guessing tokens is throttled per address: past 20 failures a minute, failures get 429
            // with Retry-After; a valid token still gets through (nobody is locked out).
            for _ in 0..<20 {
                let failed = try await client.execute(
                    uri: "/api/v1/sagas", method: .get, headers: ServerAPITests.headers("arc_" + String(repeating: "x", count: 43)))
                #expect(failed.status == .unauthorized)
            }
            let throttled = try await client.execute(
                uri: "/api/v1/sagas", method: .get, headers: ServerAPITests.headers("arc_" + String(repeating: "y", count: 43)))
            #expect(throttled.status == .tooManyRequests && throttled.headers[.retryAfter] != nil)
            #expect(try ServerAPITests.error(throttled).code == "too_many_failures")
            let valid = try await client.execute(uri: "/api/v1/sagas", method: .get, headers: ServerAPITests.headers(tokens.admin))
            #expect(valid.status == .ok)
        }
    }

    @Test(
        "sessions are stored under the hash of their cookie: a restart keeps them, logout ends one for good, a new login gets a new id",
        arguments: Backend.enabled)
    func storedSessions(backend: Backend) async throws {
        try await ServerAPITests.withServer(backend) { client, tokens, engine, store, _ in
            let (cookie, csrf) = try await Self.login(client, tokens.operatorToken)
            #expect(try await store.liveWebSessionCount(now: Date()) == 1)
            // The database has the hash of the session's key, never the cookie's value.
            #expect(try await store.webSession(keyHash: WebSessionPersistDriver.hash("dashboard." + cookie), now: Date()) != nil)
            #expect(try await store.webSession(keyHash: cookie, now: Date()) == nil)
            let header: HTTPFields = [.cookie: "__Host-arcadia_session=\(cookie)"]
            // Another server process on the database (or this one restarted) knows the session.
            let other = try buildApplication(
                configuration: ServerConfiguration(port: 0), engine: engine, store: store, logger: TestDatabase.logger)
            try await other.test(.router) { otherClient in
                let page = try await otherClient.execute(uri: "/ui/sagas", method: .get, headers: header)
                #expect(page.status == .ok && Self.hidden("csrf", in: String(buffer: page.body)) == csrf)
            }
            // Logging in again from the same browser replaces its session: a new id, the old one gone.
            let page = try await client.execute(uri: "/ui/login", method: .get)
            let loginCSRF = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
            let loginCookie = try #require(Self.cookie("__Host-arcadia_login_csrf", page))
            let again = try await client.execute(
                uri: "/ui/login", method: .post,
                headers: Self.form(cookie: "__Host-arcadia_login_csrf=\(loginCookie); __Host-arcadia_session=\(cookie)"),
                body: ByteBuffer(string: "csrf=\(loginCSRF)&token=\(tokens.operatorToken)"))
            let renewed = try #require(Self.cookie("__Host-arcadia_session", again))
            #expect(renewed != cookie)
            #expect(try await store.liveWebSessionCount(now: Date()) == 1)
            let old = try await client.execute(uri: "/ui/sagas", method: .get, headers: header)
            #expect(old.status == .seeOther && old.headers[.location] == "/ui/login")
            // Logout ends the session in the database: a copy of the cookie is no session.
            let renewedHeader = "__Host-arcadia_session=\(renewed)"
            let renewedCSRF = try #require(
                Self.hidden(
                    "csrf", in: String(buffer: try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: renewedHeader]).body)))
            let logout = try await client.execute(
                uri: "/ui/logout", method: .post, headers: Self.form(cookie: renewedHeader), body: ByteBuffer(string: "csrf=\(renewedCSRF)"))
            #expect(logout.status == .seeOther && logout.headers[.location] == "/ui/login")
            #expect(logout.headers[values: .setCookie].contains { $0.hasPrefix("__Host-arcadia_session=") && $0.contains("Expires=") })
            #expect(try await store.liveWebSessionCount(now: Date()) == 0)
            let replayed = try await client.execute(uri: "/ui/sagas", method: .get, headers: [.cookie: renewedHeader])
            #expect(replayed.status == .seeOther && replayed.headers[.location] == "/ui/login")
        }
    }

    @Test("the session driver: expiry on the injected clock, time to live, duplicates refused, a kept expiry on update, expired rows removed")
    func sessionDriver() async throws {
        try await TestDatabase.withStore(.sqlite) { store, _ in
            let clock = ManualClock()
            let start = clock.now
            let driver = WebSessionPersistDriver(store: store, now: { clock.now })
            try await driver.create(key: "a", value: ["v": 1], expires: .seconds(60))
            await #expect(throws: PersistError.duplicate) { try await driver.create(key: "a", value: ["v": 2], expires: .seconds(60)) }
            #expect(try await driver.get(key: "a", as: [String: Int].self) == ["v": 1])
            #expect(try await driver.getWithTTL(key: "a", as: [String: Int].self)?.ttl == .seconds(60))
            await #expect(throws: PersistError.invalidConversion) { try await driver.get(key: "a", as: [Int].self) }
            // An update without an expiry keeps the session's.
            clock.advance(by: .seconds(30))
            try await driver.set(key: "a", value: ["v": 3], expires: nil)
            #expect(try await driver.getWithTTL(key: "a", as: [String: Int].self)?.ttl == .seconds(30))
            clock.advance(by: .seconds(30))
            #expect(try await driver.get(key: "a", as: [String: Int].self) == nil)
            // The next session saved (hummingbird-auth saves new ones with `set`) removes the expired row.
            try await driver.set(key: "b", value: ["v": 4], expires: .seconds(60))
            #expect(try await store.liveWebSessionCount(now: start) == 1)
            clock.advance(by: .seconds(61))
            try await driver.create(key: "c", value: ["v": 5], expires: .seconds(60))
            #expect(try await store.liveWebSessionCount(now: start) == 1)
            try await driver.remove(key: "c")
            try await driver.remove(key: "b")
            #expect(try await driver.get(key: "b", as: [String: Int].self) == nil)
        }
    }

    @Test("the throttle keys IPv6 clients by their /64 and bounds what it remembers")
    func throttleKeys() async {
        #expect(AuthThrottle.key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(AuthThrottle.key("2001:db8:1:2::9") == "2001:db8:1:2::/64")
        #expect(AuthThrottle.key("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(AuthThrottle.key("10.0.0.7") == "10.0.0.7")
        let throttle = AuthThrottle(limit: 2, window: 60, capacity: 3)
        let now = Date()
        for client in ["a", "b", "c", "d", "e"] { _ = await throttle.recordFailure(client, now: now) }
        // d and e overflowed into one shared record: their third failure together is over the limit.
        #expect(await throttle.recordFailure("f", now: now) != nil)
        #expect(await throttle.recordFailure("a", now: now) == nil)
        #expect(await throttle.recordFailure("a", now: now) != nil)
        #expect(await throttle.recordFailure("a", now: now.addingTimeInterval(61)) == nil)
    }

    @Test("billing pages: tenants, a tenant's deployments and invoices, an invoice with CSV, finalize by an admin; a tenant token sees only its own")
    func billingPages() async throws {
        try await ServerAPITests.withServer(.sqlite) { client, tokens, _, store, _ in
            let start = BillingPeriod("2026-11")!.start
            try await store.insertTenant(Tenant(id: "acme", name: "Acme <Corp>", billingEmail: "b@acme.test", createdAt: start))
            try await store.insertTenant(Tenant(id: "beta", name: "Beta", billingEmail: "b@beta.test", createdAt: start))
            try await store.insertDeployment(
                Deployment(id: "acme-prod", tenantID: "acme", name: "prod", region: "nyc3", plan: "standard", createdAt: start))
            try await store.insertRateCard(RateCard(name: "2026", effectiveFrom: BillingPeriod("2026-01")!.start, planFees: ["standard": 30]))

            let admin = try await Self.login(client, tokens.admin)
            let adminCookie = "__Host-arcadia_session=\(admin.cookie)"
            let tenants = try await client.execute(uri: "/ui/tenants", method: .get, headers: [.cookie: adminCookie])
            let html = String(buffer: tenants.body)
            #expect(tenants.status == .ok && html.contains("Acme &lt;Corp&gt;") && !html.contains("Acme <Corp>") && html.contains("beta"))
            let generated = try await client.execute(
                uri: "/ui/invoices/generate", method: .post, headers: Self.form(cookie: adminCookie),
                body: ByteBuffer(string: "csrf=\(admin.csrf)&tenant=acme&period=2026-11"))
            #expect(generated.status == .seeOther && generated.headers[.location] == "/ui/invoices/acme/2026-11")
            let invoice = try await client.execute(uri: "/ui/invoices/acme/2026-11", method: .get, headers: [.cookie: adminCookie])
            #expect(String(buffer: invoice.body).contains("30.00 USD") && String(buffer: invoice.body).contains("id=\"finalize\""))
            let finalized = try await client.execute(
                uri: "/ui/invoices/acme/2026-11/finalize", method: .post, headers: Self.form(cookie: adminCookie),
                body: ByteBuffer(string: "csrf=\(admin.csrf)"))
            #expect(finalized.status == .seeOther)
            let after = String(buffer: try await client.execute(uri: "/ui/invoices/acme/2026-11", method: .get, headers: [.cookie: adminCookie]).body)
            #expect(after.contains("#1") && !after.contains("id=\"finalize\""))

            // The tenant token lands on its own page and sees nothing of others.
            let tenantPage = try await client.execute(uri: "/ui/login", method: .get)
            let loginCSRF = try #require(Self.hidden("csrf", in: String(buffer: tenantPage.body)))
            let loginCookie = try #require(Self.cookie("__Host-arcadia_login_csrf", tenantPage))
            let loggedIn = try await client.execute(
                uri: "/ui/login", method: .post, headers: Self.form(cookie: "__Host-arcadia_login_csrf=\(loginCookie)"),
                body: ByteBuffer(string: "csrf=\(loginCSRF)&token=\(tokens.tenant)"))
            #expect(loggedIn.headers[.location] == "/ui/tenants/acme")
            let tenantCookie = "__Host-arcadia_session=\(try #require(Self.cookie("__Host-arcadia_session", loggedIn)))"
            let own = try await client.execute(uri: "/ui/tenants/acme", method: .get, headers: [.cookie: tenantCookie])
            #expect(own.status == .ok && String(buffer: own.body).contains("2026-11") && !String(buffer: own.body).contains("id=\"generate\""))
            let csv = try await client.execute(uri: "/ui/invoices/acme/2026-11?format=csv", method: .get, headers: [.cookie: tenantCookie])
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true && String(buffer: csv.body).contains(",total,"))
            for uri in ["/ui/tenants/beta", "/ui/invoices/beta/2026-11", "/ui/sagas", "/ui/tenants", "/ui/margin"] {
                let refused = try await client.execute(uri: uri, method: .get, headers: [.cookie: tenantCookie])
                #expect(refused.status == .forbidden, "\(uri)")
            }
            let margin = try await client.execute(uri: "/ui/margin?period=2026-11", method: .get, headers: [.cookie: adminCookie])
            #expect(String(buffer: margin.body).contains("30.00"))
        }
    }
}
