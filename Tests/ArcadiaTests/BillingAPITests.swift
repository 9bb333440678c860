import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SagaEngine
import Testing

/// The billing routes over HTTP: admins change, readers read, a tenant token sees only its own
/// tenant; bad input is a clear 4xx.
@Suite("Billing API", .timeLimit(.minutes(3)))
struct BillingAPITests {
    @Test("tenants, deployments, rate cards, invoices and margin: roles, tenant scope, conflicts and bad input", arguments: Backend.enabled)
    func billingRoutes(backend: Backend) async throws {
        try await ServerAPITests.withServer(backend) { client, tokens, _, _, _ in
            func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: uri, method: method, headers: ServerAPITests.headers(token), body: body.map { ByteBuffer(string: $0) })
            }
            let acme = #"{"id": "acme", "name": "Acme", "billing_email": "billing@acme.test"}"#
            #expect(try await call(.post, "/api/v1/tenants", tokens.operatorToken, acme).status == .forbidden)
            #expect(try await call(.post, "/api/v1/tenants", tokens.admin, acme).status == .created)
            let duplicate = try await call(.post, "/api/v1/tenants", tokens.admin, acme)
            #expect(duplicate.status == .conflict)
            let badEmail = try await call(.post, "/api/v1/tenants", tokens.admin, #"{"id": "beta", "name": "Beta", "billing_email": "nope"}"#)
            #expect(badEmail.status == .badRequest)
            #expect(try ServerAPITests.error(badEmail).message.contains("email"))
            let injected = try await call(
                .post, "/api/v1/tenants", tokens.admin, #"{"id": "x'; DROP TABLE tenants;--", "name": "X", "billing_email": "a@b.c"}"#)
            #expect(injected.status == .badRequest)
            #expect(
                try await call(
                    .post, "/api/v1/tenants", tokens.admin, #"{"id": "beta", "name": "Beta", "billing_email": "ap@beta.test", "currency": "EUR"}"#
                ).status == .created)

            let deployment = #"{"id": "acme-prod", "tenant_id": "acme", "region": "nyc3", "plan": "standard", "created_at": "2026-11-01T00:00:00Z"}"#
            #expect(try await call(.post, "/api/v1/deployments", tokens.admin, deployment).status == .created)
            let orphan = try await call(
                .post, "/api/v1/deployments", tokens.admin, #"{"id": "x", "tenant_id": "nobody", "region": "nyc3", "plan": "p"}"#)
            #expect(orphan.status == .notFound)
            #expect(
                try await call(
                    .post, "/api/v1/deployments", tokens.admin, #"{"id": "beta-1", "tenant_id": "beta", "region": "fra1", "plan": "standard"}"#
                ).status == .created)

            // A tenant token sees its own tenant, deployments and invoices, and nothing else.
            let own = try ServerAPITests.json(try await call(.get, "/api/v1/tenants", tokens.tenant))
            #expect(own["tenants"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ["acme"])
            #expect(try await call(.get, "/api/v1/tenants/beta", tokens.tenant).status == .forbidden)
            #expect(try await call(.get, "/api/v1/tenants/acme", tokens.tenant).status == .ok)
            let ownDeployments = try ServerAPITests.json(try await call(.get, "/api/v1/deployments", tokens.tenant))
            #expect(ownDeployments["deployments"]?.arrayValue?.count == 1)
            #expect(try await call(.get, "/api/v1/deployments?tenant=beta", tokens.tenant).status == .forbidden)
            #expect(try await call(.get, "/api/v1/rate-cards", tokens.tenant).status == .forbidden)
            #expect(try await call(.get, "/api/v1/billing/margin?period=2026-11", tokens.tenant).status == .forbidden)
            let all = try ServerAPITests.json(try await call(.get, "/api/v1/tenants", tokens.viewer))
            #expect(all["tenants"]?.arrayValue?.count == 2)

            // No card yet: nothing is invoiced at no price.
            let noCard = try await call(.post, "/api/v1/invoices/generate", tokens.admin, #"{"tenant_id": "acme", "period": "2026-11"}"#)
            #expect(noCard.status.code == 422)
            #expect(try ServerAPITests.error(noCard).code == "no_rate_card")
            let card =
                #"{"name": "2026", "effective_from": "2026-01-01T00:00:00Z", "plan_fees": {"standard": "30"}, "rates": {"droplet": {"hourly": {"*": "0.0357"}}}}"#
            #expect(try await call(.post, "/api/v1/rate-cards", tokens.operatorToken, card).status == .forbidden)
            #expect(try await call(.post, "/api/v1/rate-cards", tokens.admin, card).status == .created)
            let badCard = try await call(
                .post, "/api/v1/rate-cards", tokens.admin,
                #"{"name": "bad", "effective_from": "2027-01-01T00:00:00Z", "plan_fees": {"standard": 30}}"#)
            #expect(badCard.status == .badRequest)
            #expect(try ServerAPITests.error(badCard).message.contains("plan_fees"))
            let unreadable = try await call(
                .post, "/api/v1/rate-cards", tokens.admin,
                #"{"name": "bad", "effective_from": "2027-01-01T00:00:00Z", "plan_fees": {"standard": "thirty"}}"#)
            #expect(unreadable.status.code == 422)
            let cards = try ServerAPITests.json(try await call(.get, "/api/v1/rate-cards", tokens.viewer))
            #expect(cards["rate_cards"]?.arrayValue?.first?.objectValue?["plan_fees"]?.objectValue?["standard"] == "30")

            // A whole month's base fee: 30.00; generating again keeps one draft.
            let generated = try ServerAPITests.json(
                try await call(.post, "/api/v1/invoices/generate", tokens.admin, #"{"tenant_id": "acme", "period": "2026-11"}"#))
            #expect(generated["total"] == "30.00" && generated["status"] == "draft")
            let again = try ServerAPITests.json(
                try await call(.post, "/api/v1/invoices/generate", tokens.admin, #"{"tenant_id": "acme", "period": "2026-11"}"#))
            #expect(again["id"] == generated["id"])
            #expect(try await call(.get, "/api/v1/invoices/acme/2026-11", tokens.tenant).status == .ok)
            #expect(try await call(.get, "/api/v1/invoices/beta/2026-11", tokens.tenant).status == .forbidden)
            let csv = try await call(.get, "/api/v1/invoices/acme/2026-11?format=csv", tokens.viewer)
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true && String(buffer: csv.body).contains(",total,"))
            #expect(try await call(.get, "/api/v1/invoices/acme/2026-13", tokens.viewer).status == .badRequest)
            #expect(try await call(.get, "/api/v1/invoices/acme/2026-10", tokens.viewer).status == .notFound)
            let invoices = try ServerAPITests.json(try await call(.get, "/api/v1/invoices", tokens.tenant))
            #expect(invoices["invoices"]?.arrayValue?.count == 1)

            #expect(try await call(.post, "/api/v1/invoices/acme/2026-11/finalize", tokens.viewer).status == .forbidden)
            let final = try ServerAPITests.json(try await call(.post, "/api/v1/invoices/acme/2026-11/finalize", tokens.admin))
            #expect(final["number"] == 1 && final["status"] == "finalized")
            let refused = try await call(.post, "/api/v1/invoices/generate", tokens.admin, #"{"tenant_id": "acme", "period": "2026-11"}"#)
            #expect(refused.status == .conflict)
            #expect(try ServerAPITests.error(refused).code == "finalized")

            let margin = try ServerAPITests.json(try await call(.get, "/api/v1/billing/margin?period=2026-11", tokens.viewer))
            let row = try #require(margin["rows"]?.arrayValue?.first?.objectValue)
            #expect(row["invoiced"] == "30.00" && row["provider_cost"] == "0.00" && row["margin"] == "30.00")

            // A tenant with no deployment left to run sagas on follows the request directly.
            #expect(try await call(.post, "/api/v1/tenants/beta/suspend", tokens.operatorToken).status == .forbidden)
            let suspended = try ServerAPITests.json(try await call(.post, "/api/v1/tenants/acme/suspend", tokens.admin))
            #expect(suspended["sagas"]?.arrayValue?.count == 1)
            #expect(suspended["sagas"]?.arrayValue?.first?.objectValue?["template"] == "suspend-deployment")
            #expect(try await call(.post, "/api/v1/tenants/nobody/suspend", tokens.admin).status == .notFound)
        }
    }
}
