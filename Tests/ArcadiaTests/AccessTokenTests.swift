import AccessControl
import ArcadiaStorage
import Foundation
import SagaEngine
import Testing

/// API tokens: issued once, stored as hashes, checked by role and tenant, revoked at once.
@Suite("API tokens")
struct AccessTokenTests {
    @Test("a token is stored only as its hash, authenticates until revoked, and is refused when malformed or unknown", arguments: Backend.enabled)
    func lifecycle(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            let issuer = TokenIssuer(store: store)
            #expect(try await !store.tokens().contains { $0.revokedAt == nil })
            let (admin, secret) = try await issuer.issue(name: "ops", role: .admin)
            #expect(secret.hasPrefix("arc_") && secret.count == 47 && admin.prefix == String(secret.prefix(8)))
            #expect(try await store.tokens().contains { $0.revokedAt == nil })
            let authenticated = try await issuer.authenticate(secret)
            #expect(authenticated.id == admin.id && authenticated.role == .admin && authenticated.name == "ops" && authenticated.tenantID == nil)
            // Only the hash is kept: the secret is not in any stored field.
            let stored = try #require(try await store.token(secretHash: TokenIssuer.hash(secret)))
            #expect(stored.id == admin.id && !"\(stored)".contains(secret.dropFirst(8)))

            let (other, otherSecret) = try await issuer.issue(name: "acme", role: .tenant, tenantID: "acme")
            #expect(try await issuer.authenticate(otherSecret).tenantID == "acme")
            let all = try await store.tokens()
            #expect(Set(all.map(\.id)) == [other.id, admin.id])

            for bad in ["", "Bearer", "arc_short", String(secret.dropLast()) + "!", "xyz_" + secret.dropFirst(4)] {
                await #expect(throws: AccessError.self, "\(bad)") { _ = try await issuer.authenticate(bad) }
            }
            let unknown = "arc_" + String(repeating: "A", count: 43)
            do {
                _ = try await issuer.authenticate(unknown)
                Issue.record("an unknown token authenticated")
            } catch let error as AccessError {
                #expect(error.code == .invalidToken && !error.message.contains(unknown))
            }

            #expect(try await store.revokeToken(id: admin.id, at: Date()))
            #expect(try await !store.revokeToken(id: admin.id, at: Date()))
            await #expect(throws: AccessError.self) { _ = try await issuer.authenticate(secret) }
            #expect(try await store.tokens().contains { $0.revokedAt == nil })
            #expect(try await store.revokeToken(id: other.id, at: Date()))
            #expect(try await !store.tokens().contains { $0.revokedAt == nil })
        }
    }

    @Test("roles: admin everything, operator sagas and inventory, viewer reads, tenant its own tenant only")
    func roles() throws {
        let now = Date()
        func token(_ role: Role, _ tenant: String? = nil) -> AccessToken {
            AccessToken(name: "t", role: role, tenantID: tenant, prefix: "arc_x", createdAt: now)
        }
        #expect(Permission.allCases.allSatisfy { token(.admin).allows($0, tenant: "a") })
        #expect(token(.operator).allows(.operateSagas) && token(.operator).allows(.operateInventory) && token(.operator).allows(.read))
        #expect(!token(.operator).allows(.administer))
        #expect(token(.viewer).allows(.read) && !token(.viewer).allows(.operateSagas) && !token(.viewer).allows(.operateInventory))
        #expect(token(.viewer).allows(.readOwnTenant, tenant: "acme"))
        let acme = token(.tenant, "acme")
        #expect(acme.allows(.readOwnTenant, tenant: "acme"))
        #expect(!acme.allows(.readOwnTenant, tenant: "globex") && !acme.allows(.readOwnTenant) && !acme.allows(.read))
        #expect(!acme.allows(.operateSagas) && !acme.allows(.administer))
        var revoked = token(.admin)
        revoked.revokedAt = now
        #expect(!revoked.allows(.read))
    }

    @Test("issuing checks the tenant scope and the name")
    func issuingRules() async throws {
        try await TestDatabase.withStore(.sqlite) { store, _ in
            let issuer = TokenIssuer(store: store)
            await #expect(throws: AccessError.self) { _ = try await issuer.issue(name: "t", role: .tenant) }
            await #expect(throws: AccessError.self) { _ = try await issuer.issue(name: "t", role: .tenant, tenantID: "  ") }
            await #expect(throws: AccessError.self) { _ = try await issuer.issue(name: "t", role: .viewer, tenantID: "acme") }
            await #expect(throws: AccessError.self) { _ = try await issuer.issue(name: "", role: .viewer) }
            let none = try await store.tokens()
            #expect(none.isEmpty)
        }
    }

    @Test(
        "the initial admin token: one among servers starting together on an empty database, none once any token was made", arguments: Backend.enabled)
    func firstAdmin(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            let issuer = TokenIssuer(store: store)
            let made = try await withThrowingTaskGroup(of: AccessToken?.self) { group in
                for _ in 0..<8 { group.addTask { try await issuer.issueFirstAdmin()?.token } }
                return try await group.reduce(into: [AccessToken]()) { if let token = $1 { $0.append(token) } }
            }
            #expect(made.count == 1 && made.first?.role == .admin)
            // Every token revoked (an incident, say): a restart does not mint a new admin.
            _ = try await store.revokeToken(id: try #require(made.first).id, at: Date())
            #expect(try await issuer.issueFirstAdmin() == nil)
            #expect(try await store.tokens().count == 1)
        }
    }

    @Test("arcadia token create prints the secret once ({\"token\": ...} with --json); list shows prefixes; revoke; bad flags are named")
    func cli() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = "sqlite:" + directory.appendingPathComponent("a.sqlite").path
        // A tenant token is for a tenant that exists.
        let unknown = try await ChildProcess.run(["token", "create", "--role", "tenant", "--tenant", "acme", "--database", db])
        #expect(unknown.status != 0 && unknown.stderr.contains("no tenant 'acme'"), "\(unknown.stderr)")
        let tenant = try await ChildProcess.run(["tenant", "create", "acme", "--name", "Acme", "--email", "b@acme.test", "--database", db])
        #expect(tenant.status == 0, "\(tenant.stderr)")
        let created = try await ChildProcess.run(["token", "create", "--role", "tenant", "--tenant", " acme ", "--database", db, "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(created.stdout.utf8))
        let secret = try #require(object["token"]?.stringValue)
        #expect(secret.hasPrefix("arc_") && object["role"] == "tenant" && object["tenant_id"] == "acme")
        let listed = try await ChildProcess.run(["token", "list", "--database", db])
        #expect(listed.status == 0 && listed.stdout.contains(String(secret.prefix(8))) && !listed.stdout.contains(secret))
        let listedJSON = try await ChildProcess.run(["token", "list", "--database", db, "--json"])
        #expect(listedJSON.status == 0 && !listedJSON.stdout.contains(secret) && !listedJSON.stdout.contains("hash"))
        let id = try #require(object["id"]?.stringValue)
        let revoked = try await ChildProcess.run(["token", "revoke", id, "--database", db])
        #expect(revoked.status == 0)
        let again = try await ChildProcess.run(["token", "revoke", id, "--database", db])
        #expect(again.status != 0 && again.stderr.contains("no live token"))
        for (arguments, message) in [
            (["token", "create", "--role", "root"], "unknown role 'root'"), (["token", "create", "--role", "tenant"], "needs --tenant"),
            (["token", "create", "--role", "viewer", "--tenant", "acme"], "--tenant is for --role tenant only"),
            (["token", "revoke", "nope"], "is not a token id"),
        ] {
            let result = try await ChildProcess.run(arguments + ["--database", db])
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
