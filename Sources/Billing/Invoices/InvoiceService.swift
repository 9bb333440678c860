public import CloudOps
public import Foundation

/// Makes, finalizes and reads invoices, and the margin report: meters each tenant's deployments
/// from the inventory (their resources and presence intervals) against the rate cards.
public struct InvoiceService: Sendable {
    let billing: any BillingStore
    let inventory: any InventoryStore
    let now: @Sendable () -> Date

    /// A service over the billing and inventory stores (one database).
    public init(billing: any BillingStore, inventory: any InventoryStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.billing = billing
        self.inventory = inventory
        self.now = now
    }

    /// Makes (or makes again) the draft invoice of `tenantID` for `period`: one per tenant and
    /// period, its id kept; refused once finalized.
    public func generate(tenantID: String, period: BillingPeriod) async throws -> Invoice {
        try await generate(tenantIDs: [tenantID], period: period)[0]
    }

    /// Drafts for several tenants, metering the inventory once for all of them.
    public func generate(tenantIDs: [String], period: BillingPeriod) async throws -> [Invoice] {
        let calculator = InvoiceCalculator(schedule: try RateCardSchedule(try await billing.rateCards()))
        let usage = try await Usage.load(inventory: inventory, period: period)
        var invoices: [Invoice] = []
        for tenantID in tenantIDs {
            guard let tenant = try await billing.tenant(id: tenantID) else { throw BillingError(.notFound, "no tenant '\(tenantID)'") }
            let deployments = try await billing.deployments(tenantID: tenantID)
            let lines = try calculator.lines(period: period, deployments: deployments, resources: usage.resources(of: deployments))
            let draft = Invoice(tenantID: tenant.id, period: period, currency: tenant.currency, lines: lines, generatedAt: now())
            invoices.append(try await billing.saveDraft(draft))
        }
        return invoices
    }

    /// Finalizes the draft: numbered, immutable.
    public func finalize(tenantID: String, period: BillingPeriod) async throws -> Invoice {
        try await billing.finalizeInvoice(tenantID: tenantID, period: period, at: now())
    }

    /// Per tenant and deployment: what Arcadia invoices against what DigitalOcean charges for
    /// the same resources (by DigitalOcean's rules), from the invoices of `period` as they stand
    /// (drafts included; a tenant without one is left out).
    public func margin(period: BillingPeriod) async throws -> [MarginRow] {
        let usage = try await Usage.load(inventory: inventory, period: period)
        var rows: [MarginRow] = []
        for tenant in try await billing.tenants() {
            guard let invoice = try await billing.invoice(tenantID: tenant.id, period: period) else { continue }
            for deployment in try await billing.deployments(tenantID: tenant.id) {
                let invoiced = invoice.lines.filter { $0.deploymentID == deployment.id }.reduce(Decimal(0)) { $0 + $1.amount }
                let cost = usage.resources(of: [deployment]).reduce(Decimal(0)) { $0 + DigitalOceanCost.cost(of: $1, period: period) }
                rows.append(
                    MarginRow(
                        tenantID: tenant.id, deploymentID: deployment.id, currency: invoice.currency, invoiced: invoiced, providerCost: cost,
                        invoiceStatus: invoice.status))
            }
        }
        return rows
    }
}
