import Billing
import Foundation
import PostgresNIO

/// Tenants, deployments, rate cards and invoices on PostgreSQL.
extension PostgresSagaStore: BillingStore {
    static let tenantColumns = "id, name, billing_email, status, currency, created_at"
    static let deploymentColumns = "id, tenant_id, name, region, plan, status, created_at, ended_at"
    static let invoiceColumns = "id, tenant_id, period, status, number, currency, generated_at, finalized_at, lines"

    package func insertTenant(_ tenant: Tenant) async throws {
        let rows = try await execute(
            """
            INSERT INTO tenants (id, name, billing_email, status, currency, created_at)
            VALUES (\(tenant.id), \(tenant.name), \(tenant.billingEmail), \(tenant.status.rawValue), \(tenant.currency), \(tenant.createdAt))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        guard !rows.isEmpty else { throw BillingError(.invalidInput, "a tenant '\(tenant.id)' exists already") }
    }

    package func tenant(id: String) async throws -> Tenant? {
        try await execute("SELECT \(unescaped: Self.tenantColumns) FROM tenants WHERE id = \(id)").first.map(Self.decodeTenant)
    }

    package func tenants() async throws -> [Tenant] {
        try await execute("SELECT \(unescaped: Self.tenantColumns) FROM tenants ORDER BY id").map(Self.decodeTenant)
    }

    package func setTenantStatus(id: String, status: Tenant.Status) async throws -> Bool {
        try await !execute("UPDATE tenants SET status = \(status.rawValue) WHERE id = \(id) RETURNING id").isEmpty
    }

    package func insertDeployment(_ deployment: Deployment) async throws {
        let d = deployment
        let rows = try await execute(
            """
            INSERT INTO deployments (id, tenant_id, name, region, plan, status, created_at, ended_at)
            SELECT \(d.id), \(d.tenantID), \(d.name), \(d.region), \(d.plan), \(d.status.rawValue), \(d.createdAt), \(d.endedAt)
            WHERE EXISTS (SELECT 1 FROM tenants WHERE id = \(d.tenantID))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        guard rows.isEmpty else { return }
        guard try await tenant(id: d.tenantID) != nil else { throw BillingError(.notFound, "no tenant '\(d.tenantID)'") }
        throw BillingError(.invalidInput, "a deployment '\(d.id)' exists already")
    }

    package func deployments(tenantID: String?) async throws -> [Deployment] {
        if let tenantID {
            return try await execute("SELECT \(unescaped: Self.deploymentColumns) FROM deployments WHERE tenant_id = \(tenantID) ORDER BY id")
                .map(Self.decodeDeployment)
        }
        return try await execute("SELECT \(unescaped: Self.deploymentColumns) FROM deployments ORDER BY id").map(Self.decodeDeployment)
    }

    package func setDeploymentStatus(id: String, status: Deployment.Status, endedAt: Date?) async throws -> Bool {
        try await !execute("UPDATE deployments SET status = \(status.rawValue), ended_at = \(endedAt) WHERE id = \(id) RETURNING id").isEmpty
    }

    package func insertRateCard(_ card: RateCard) async throws {
        let body = try BillingStorageCoding.encode(card)
        let rows = try await execute(
            """
            INSERT INTO rate_cards (id, name, currency, effective_from, body)
            VALUES (\(card.id), \(card.name), \(card.currency), \(card.effectiveFrom), \(body))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        guard !rows.isEmpty else {
            throw BillingError(
                .invalidRateCard,
                "another \(card.currency) rate card takes effect at that instant (or one is named '\(card.name)'); pick another date or name")
        }
    }

    package func rateCards() async throws -> [RateCard] {
        try await execute("SELECT body FROM rate_cards ORDER BY effective_from").map { row in
            try BillingStorageCoding.decode(RateCard.self, from: try row.decode(String.self))
        }
    }

    package func saveDraft(_ invoice: Invoice) async throws -> Invoice {
        let lines = try BillingStorageCoding.encode(invoice.lines)
        let total = NSDecimalNumber(decimal: invoice.total).stringValue
        let period = invoice.period.description
        return try await transaction { connection in
            // The row lock keeps a concurrent finalize from slipping in between the check and the write.
            let existing = try await self.execute(
                "SELECT status FROM invoices WHERE tenant_id = \(invoice.tenantID) AND period = \(period) FOR UPDATE", on: connection)
            if let row = existing.first, try row.decode(String.self) == Invoice.Status.finalized.rawValue {
                throw BillingError(.finalized, "the invoice of \(invoice.tenantID) for \(invoice.period) is finalized; it never changes")
            }
            let rows = try await self.execute(
                """
                INSERT INTO invoices (id, tenant_id, period, status, currency, total, generated_at, lines)
                VALUES (\(invoice.id), \(invoice.tenantID), \(period), 'draft', \(invoice.currency), \(total)::numeric, \(invoice.generatedAt), \(lines))
                ON CONFLICT (tenant_id, period) DO UPDATE SET currency = excluded.currency, total = excluded.total,
                    generated_at = excluded.generated_at, lines = excluded.lines
                WHERE invoices.status = 'draft'
                RETURNING \(unescaped: Self.invoiceColumns)
                """, on: connection)
            // No row: another session finalized it between the check and the write.
            guard let row = rows.first else {
                throw BillingError(.finalized, "the invoice of \(invoice.tenantID) for \(invoice.period) is finalized; it never changes")
            }
            return try Self.decodeInvoice(row)
        }
    }

    package func finalizeInvoice(tenantID: String, period: BillingPeriod, at: Date) async throws -> Invoice {
        let text = period.description
        return try await transaction { connection in
            let existing = try await self.execute(
                "SELECT status FROM invoices WHERE tenant_id = \(tenantID) AND period = \(text) FOR UPDATE", on: connection)
            guard let row = existing.first else { throw BillingError(.notFound, "no invoice of \(tenantID) for \(period); generate it first") }
            guard try row.decode(String.self) == Invoice.Status.draft.rawValue else {
                throw BillingError(.finalized, "the invoice of \(tenantID) for \(period) is finalized already")
            }
            // The next number, taken in the same transaction (the counter row is locked until
            // commit): a rollback gives it back, so finalized invoices are numbered without gaps.
            guard
                let number = try await self.execute(
                    "UPDATE billing_counters SET value = value + 1 WHERE name = 'invoice_number' RETURNING value", on: connection
                ).first?.decode(Int.self)
            else { throw Self.corrupt("billing_counters has no invoice_number") }
            let rows = try await self.execute(
                """
                UPDATE invoices SET status = 'finalized', number = \(number), finalized_at = \(at)
                WHERE tenant_id = \(tenantID) AND period = \(text) RETURNING \(unescaped: Self.invoiceColumns)
                """, on: connection)
            guard let stored = rows.first else { throw Self.corrupt("an invoice did not finalize") }
            return try Self.decodeInvoice(stored)
        }
    }

    package func invoice(tenantID: String, period: BillingPeriod) async throws -> Invoice? {
        try await execute(
            "SELECT \(unescaped: Self.invoiceColumns) FROM invoices WHERE tenant_id = \(tenantID) AND period = \(period.description)"
        ).first.map(Self.decodeInvoice)
    }

    package func invoices(tenantID: String?) async throws -> [Invoice] {
        if let tenantID {
            return try await execute("SELECT \(unescaped: Self.invoiceColumns) FROM invoices WHERE tenant_id = \(tenantID) ORDER BY period DESC")
                .map(Self.decodeInvoice)
        }
        return try await execute("SELECT \(unescaped: Self.invoiceColumns) FROM invoices ORDER BY period DESC, tenant_id").map(Self.decodeInvoice)
    }

    static func decodeTenant(_ row: PostgresRow) throws -> Tenant {
        let (id, name, email, status, currency, created) = try row.decode((String, String, String, String, String, Date).self)
        guard let status = Tenant.Status(rawValue: status) else { throw corrupt("tenants.status '\(status)' is not a status") }
        return Tenant(id: id, name: name, billingEmail: email, status: status, currency: currency, createdAt: created)
    }

    static func decodeDeployment(_ row: PostgresRow) throws -> Deployment {
        let (id, tenant, name, region, plan, status, created, ended) = try row.decode(
            (String, String, String, String, String, String, Date, Date?).self)
        guard let status = Deployment.Status(rawValue: status) else { throw corrupt("deployments.status '\(status)' is not a status") }
        return Deployment(
            id: id, tenantID: tenant, name: name, region: region, plan: plan, status: status, createdAt: created, endedAt: ended)
    }

    static func decodeInvoice(_ row: PostgresRow) throws -> Invoice {
        let (id, tenant, periodText, statusText, number, currency, generated, finalized, lines) = try row.decode(
            (UUID, String, String, String, Int?, String, Date, Date?, String).self)
        guard let period = BillingPeriod(periodText), let status = Invoice.Status(rawValue: statusText) else {
            throw corrupt("an invoices row does not decode")
        }
        return Invoice(
            id: id, tenantID: tenant, period: period, status: status, number: number, currency: currency,
            lines: try BillingStorageCoding.decode([InvoiceLine].self, from: lines), generatedAt: generated, finalizedAt: finalized)
    }
}
