import Billing
import Foundation
import SQLiteNIO

/// Tenants, deployments, rate cards and invoices on SQLite.
extension SQLiteSagaStore: BillingStore {
    package func insertTenant(_ tenant: Tenant) async throws {
        let binds: [SQLiteData] = [
            .text(tenant.id), .text(tenant.name), .text(tenant.billingEmail), .text(tenant.status.rawValue), .text(tenant.currency),
            .date(tenant.createdAt),
        ]
        let inserted = try await db.transaction { c in
            try !c.rows(
                """
                INSERT INTO tenants (id, name, billing_email, status, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT DO NOTHING RETURNING id
                """, binds
            ).isEmpty
        }
        guard inserted else { throw BillingError(.invalidInput, "a tenant '\(tenant.id)' exists already") }
    }

    package func tenant(id: String) async throws -> Tenant? {
        try await db.perform { c in try c.rows("SELECT * FROM tenants WHERE id = ?1", [.text(id)]).first.map(Self.decodeTenant) }
    }

    package func tenants() async throws -> [Tenant] {
        try await db.perform { c in try c.rows("SELECT * FROM tenants ORDER BY id").map(Self.decodeTenant) }
    }

    package func setTenantStatus(id: String, status: Tenant.Status) async throws -> Bool {
        try await db.transaction { c in
            try !c.rows("UPDATE tenants SET status = ?2 WHERE id = ?1 RETURNING id", [.text(id), .text(status.rawValue)]).isEmpty
        }
    }

    package func insertDeployment(_ deployment: Deployment) async throws {
        let binds: [SQLiteData] = [
            .text(deployment.id), .text(deployment.tenantID), .text(deployment.name), .text(deployment.region), .text(deployment.plan),
            .text(deployment.status.rawValue), .date(deployment.createdAt), deployment.endedAt.map(SQLiteData.date) ?? .null,
        ]
        let inserted = try await db.transaction { c in
            guard try !c.rows("SELECT 1 FROM tenants WHERE id = ?1", [.text(deployment.tenantID)]).isEmpty else { return nil as Bool? }
            return try !c.rows(
                """
                INSERT INTO deployments (id, tenant_id, name, region, plan, status, created_at, ended_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING RETURNING id
                """, binds
            ).isEmpty
        }
        switch inserted {
        case .none: throw BillingError(.notFound, "no tenant '\(deployment.tenantID)'")
        case .some(false): throw BillingError(.invalidInput, "a deployment '\(deployment.id)' exists already")
        case .some(true): return
        }
    }

    package func deployments(tenantID: String?) async throws -> [Deployment] {
        try await db.perform { c in
            if let tenantID {
                return try c.rows("SELECT * FROM deployments WHERE tenant_id = ?1 ORDER BY id", [.text(tenantID)]).map(Self.decodeDeployment)
            }
            return try c.rows("SELECT * FROM deployments ORDER BY id").map(Self.decodeDeployment)
        }
    }

    package func setDeploymentStatus(id: String, status: Deployment.Status, endedAt: Date?) async throws -> Bool {
        try await db.transaction { c in
            try !c.rows(
                "UPDATE deployments SET status = ?2, ended_at = ?3 WHERE id = ?1 RETURNING id",
                [.text(id), .text(status.rawValue), endedAt.map(SQLiteData.date) ?? .null]
            ).isEmpty
        }
    }

    package func insertRateCard(_ card: RateCard) async throws {
        let binds: [SQLiteData] = [
            .uuid(card.id), .text(card.name), .text(card.currency), .date(card.effectiveFrom), .text(try BillingStorageCoding.encode(card)),
        ]
        let inserted = try await db.transaction { c in
            try !c.rows(
                "INSERT INTO rate_cards (id, name, currency, effective_from, body) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING id",
                binds
            ).isEmpty
        }
        guard inserted else {
            throw BillingError(
                .invalidRateCard,
                "another \(card.currency) rate card takes effect at that instant (or one is named '\(card.name)'); pick another date or name")
        }
    }

    package func rateCards() async throws -> [RateCard] {
        try await db.perform { c in
            try c.rows("SELECT body FROM rate_cards ORDER BY effective_from").map { row in
                guard let body = row.column("body")?.string else { throw Self.corrupt("rate_cards.body is missing") }
                return try BillingStorageCoding.decode(RateCard.self, from: body)
            }
        }
    }

    package func saveDraft(_ invoice: Invoice) async throws -> Invoice {
        let lines = try BillingStorageCoding.encode(invoice.lines)
        let binds: [SQLiteData] = [
            .uuid(invoice.id), .text(invoice.tenantID), .text(invoice.period.description), .text(invoice.currency),
            .text(NSDecimalNumber(decimal: invoice.total).stringValue), .date(invoice.generatedAt), .text(lines),
        ]
        return try await db.transaction { c in
            if let existing = try c.rows(
                "SELECT status FROM invoices WHERE tenant_id = ?1 AND period = ?2", [.text(invoice.tenantID), .text(invoice.period.description)]
            ).first, existing.column("status")?.string == Invoice.Status.finalized.rawValue {
                throw BillingError(.finalized, "the invoice of \(invoice.tenantID) for \(invoice.period) is finalized; it never changes")
            }
            // A draft keeps its id when generated again: one invoice per tenant and period.
            let row = try c.rows(
                """
                INSERT INTO invoices (id, tenant_id, period, status, currency, total, generated_at, lines)
                VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)
                ON CONFLICT (tenant_id, period) DO UPDATE SET currency = excluded.currency, total = excluded.total,
                    generated_at = excluded.generated_at, lines = excluded.lines
                WHERE invoices.status = 'draft'
                RETURNING *
                """, binds)
            guard let stored = row.first else { throw Self.corrupt("an invoice did not store") }
            return try Self.decodeInvoice(stored)
        }
    }

    package func finalizeInvoice(tenantID: String, period: BillingPeriod, at: Date) async throws -> Invoice {
        try await db.transaction { c in
            guard
                let row = try c.rows(
                    "SELECT status FROM invoices WHERE tenant_id = ?1 AND period = ?2", [.text(tenantID), .text(period.description)]
                )
                .first
            else { throw BillingError(.notFound, "no invoice of \(tenantID) for \(period); generate it first") }
            guard row.column("status")?.string == Invoice.Status.draft.rawValue else {
                throw BillingError(.finalized, "the invoice of \(tenantID) for \(period) is finalized already")
            }
            // The next number, taken in the same transaction: a rollback gives it back, so the
            // numbers of finalized invoices have no gaps.
            guard
                let number = try c.rows("UPDATE billing_counters SET value = value + 1 WHERE name = 'invoice_number' RETURNING value").first?
                    .column("value")?.integer
            else { throw Self.corrupt("billing_counters has no invoice_number") }
            let rows = try c.rows(
                """
                UPDATE invoices SET status = 'finalized', number = ?3, finalized_at = ?4 WHERE tenant_id = ?1 AND period = ?2 RETURNING *
                """, [.text(tenantID), .text(period.description), .integer(number), .date(at)])
            guard let stored = rows.first else { throw Self.corrupt("an invoice did not finalize") }
            return try Self.decodeInvoice(stored)
        }
    }

    package func invoice(tenantID: String, period: BillingPeriod) async throws -> Invoice? {
        try await db.perform { c in
            try c.rows("SELECT * FROM invoices WHERE tenant_id = ?1 AND period = ?2", [.text(tenantID), .text(period.description)]).first
                .map(Self.decodeInvoice)
        }
    }

    package func invoices(tenantID: String?) async throws -> [Invoice] {
        try await db.perform { c in
            if let tenantID {
                return try c.rows("SELECT * FROM invoices WHERE tenant_id = ?1 ORDER BY period DESC", [.text(tenantID)]).map(Self.decodeInvoice)
            }
            return try c.rows("SELECT * FROM invoices ORDER BY period DESC, tenant_id").map(Self.decodeInvoice)
        }
    }

    static func decodeTenant(_ row: SQLiteDatabase.Row) throws -> Tenant {
        let fields = BillingRow(row, table: "tenants")
        guard let status = Tenant.Status(rawValue: try fields.text("status")) else { throw corrupt("tenants.status is not a status") }
        return Tenant(
            id: try fields.text("id"), name: try fields.text("name"), billingEmail: try fields.text("billing_email"), status: status,
            currency: try fields.text("currency"), createdAt: try fields.date("created_at"))
    }

    static func decodeDeployment(_ row: SQLiteDatabase.Row) throws -> Deployment {
        let fields = BillingRow(row, table: "deployments")
        guard let status = Deployment.Status(rawValue: try fields.text("status")) else { throw corrupt("deployments.status is not a status") }
        return Deployment(
            id: try fields.text("id"), tenantID: try fields.text("tenant_id"), name: try fields.text("name"), region: try fields.text("region"),
            plan: try fields.text("plan"), status: status, createdAt: try fields.date("created_at"), endedAt: fields.optionalDate("ended_at"))
    }

    static func decodeInvoice(_ row: SQLiteDatabase.Row) throws -> Invoice {
        let fields = BillingRow(row, table: "invoices")
        guard let id = UUID(uuidString: try fields.text("id")), let period = BillingPeriod(try fields.text("period")),
            let status = Invoice.Status(rawValue: try fields.text("status"))
        else { throw corrupt("an invoices row does not decode") }
        return Invoice(
            id: id, tenantID: try fields.text("tenant_id"), period: period, status: status,
            number: row.column("number").flatMap { $0.isNull ? nil : $0.integer }, currency: try fields.text("currency"),
            lines: try BillingStorageCoding.decode([InvoiceLine].self, from: try fields.text("lines")), generatedAt: try fields.date("generated_at"),
            finalizedAt: fields.optionalDate("finalized_at"))
    }

    /// Reads a row's columns, naming the table in what is missing.
    struct BillingRow {
        let row: SQLiteDatabase.Row
        let table: String

        init(_ row: SQLiteDatabase.Row, table: String) {
            self.row = row
            self.table = table
        }

        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw SQLiteSagaStore.corrupt("\(table).\(name) is missing") }
            return value
        }

        func date(_ name: String) throws -> Date {
            guard let seconds = row.column(name)?.double else { throw SQLiteSagaStore.corrupt("\(table).\(name) is missing") }
            return Date(timeIntervalSince1970: seconds)
        }

        func optionalDate(_ name: String) -> Date? {
            guard let data = row.column(name), !data.isNull, let seconds = data.double else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
    }
}
