import ArcadiaStorage
import Billing
import CloudOps
import Foundation
import Testing

/// Tenants, deployments, rate cards and invoices on both backends: one draft per tenant and
/// period, finalized invoices numbered without gaps and never changed.
@Suite("Billing store")
struct BillingStoreTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    static func seed(_ store: any ArcadiaStore) async throws {
        try await store.insertTenant(Tenant(id: "acme", name: "Acme", billingEmail: "billing@acme.test", createdAt: created))
        try await store.insertTenant(Tenant(id: "beta", name: "Beta", billingEmail: "ap@beta.test", currency: "EUR", createdAt: created))
        try await store.insertDeployment(
            Deployment(id: "acme-prod", tenantID: "acme", name: "prod", region: "nyc3", plan: "standard", createdAt: created))
        try await store.insertRateCard(
            RateCard(
                name: "2026", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), planFees: ["standard": 30],
                rates: ["droplet": .hourly(["*": Self.decimal("0.0357")]), "volume": .markup(Self.decimal("0.25"))],
                snapshotPerGBMonth: Self.decimal("0.10")))
    }

    @Test("tenants, deployments and rate cards round-trip; duplicates and unknown tenants are refused by name", arguments: Backend.enabled)
    func records(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            try await Self.seed(store)
            #expect(try await store.tenants().map(\.id) == ["acme", "beta"])
            #expect(try await store.tenant(id: "beta")?.currency == "EUR")
            #expect(try await store.deployments(tenantID: "acme").map(\.plan) == ["standard"])
            #expect(try await store.deployments(tenantID: "beta").isEmpty)
            let card = try #require(try await store.rateCards().first)
            #expect(card.planFees["standard"] == 30 && card.snapshotPerGBMonth == Self.decimal("0.10"))
            #expect(card.rates["droplet"] == .hourly(["*": Self.decimal("0.0357")]))
            #expect(card.rates["volume"] == .markup(Self.decimal("0.25")))
            await #expect(throws: BillingError.self) {
                try await store.insertTenant(Tenant(id: "acme", name: "again", billingEmail: "x@y.z", createdAt: Self.created))
            }
            do {
                try await store.insertDeployment(
                    Deployment(id: "x", tenantID: "nobody", name: "x", region: "nyc3", plan: "standard", createdAt: Self.created))
                Issue.record("a deployment of no tenant was stored")
            } catch let error as BillingError {
                #expect(error.code == .notFound && error.message.contains("nobody"))
            }
            await #expect(throws: BillingError.self) {
                try await store.insertRateCard(RateCard(name: "same instant", effectiveFrom: card.effectiveFrom))
            }
            // Another currency's card may start at the same instant: schedules are per currency.
            try await store.insertRateCard(RateCard(name: "euro", currency: "EUR", effectiveFrom: card.effectiveFrom, planFees: ["standard": 28]))
            #expect(try await store.rateCards().filter { $0.effectiveFrom == card.effectiveFrom }.map(\.currency).sorted() == ["EUR", "USD"])
            #expect(try await store.setTenantStatus(id: "acme", status: .suspended))
            #expect(try await store.tenant(id: "acme")?.status == .suspended)
            #expect(try await !store.setTenantStatus(id: "nobody", status: .suspended))
            let ended = Self.created.addingTimeInterval(3600)
            #expect(try await store.setDeploymentStatus(id: "acme-prod", status: .offboarded, endedAt: ended))
            #expect(try await store.deployments(tenantID: "acme").first?.endedAt == ended)
        }
    }

    @Test(
        "a draft is replaced when generated again (same id), finalized invoices are numbered 1, 2 without gaps and refuse changes",
        arguments: Backend.enabled)
    func invoices(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            try await Self.seed(store)
            let period = BillingPeriod("2026-11")!
            let line = InvoiceLine(
                deploymentID: "acme-prod", category: .resource, resource: "101", name: "web", kind: "droplet", size: "s-1", from: period.start,
                to: period.end, quantity: Decimal(12000) / Decimal(3600), unit: "hour", unitPrice: Self.decimal("0.0357"),
                amount: Self.decimal("0.12"), rateCard: "2026")
            let first = try await store.saveDraft(
                Invoice(tenantID: "acme", period: period, currency: "USD", lines: [line], generatedAt: Self.created))
            let again = try await store.saveDraft(
                Invoice(tenantID: "acme", period: period, currency: "USD", lines: [line, line], generatedAt: Self.created))
            #expect(again.id == first.id && again.lines.count == 2 && again.status == .draft && again.number == nil)
            #expect(try await store.invoices(tenantID: "acme").count == 1)
            // Exact decimals survive storage.
            #expect(again.lines[0].quantity == Decimal(12000) / Decimal(3600) && again.total == Self.decimal("0.24"))

            let final = try await store.finalizeInvoice(tenantID: "acme", period: period, at: Self.created)
            #expect(final.status == .finalized && final.number == 1 && final.lines == again.lines)
            do {
                _ = try await store.saveDraft(Invoice(tenantID: "acme", period: period, currency: "USD", lines: [], generatedAt: Self.created))
                Issue.record("a finalized invoice was replaced")
            } catch let error as BillingError {
                #expect(error.code == .finalized)
            }
            await #expect(throws: BillingError.self) { _ = try await store.finalizeInvoice(tenantID: "acme", period: period, at: Self.created) }
            await #expect(throws: BillingError.self) {
                _ = try await store.finalizeInvoice(tenantID: "beta", period: period, at: Self.created)
            }
            #expect(try await store.invoice(tenantID: "acme", period: period)?.lines.count == 2)
            // Refused attempts took no number: the next finalized invoice is 2.
            _ = try await store.saveDraft(Invoice(tenantID: "beta", period: period, currency: "EUR", lines: [], generatedAt: Self.created))
            #expect(try await store.finalizeInvoice(tenantID: "beta", period: period, at: Self.created).number == 2)
            let december = try await store.saveDraft(
                Invoice(tenantID: "acme", period: BillingPeriod("2026-12")!, currency: "USD", lines: [], generatedAt: Self.created))
            #expect(december.id != final.id)
            #expect(try await store.invoices(tenantID: nil).map(\.period.description) == ["2026-12", "2026-11", "2026-11"])
        }
    }
}
