public import CloudOps
public import Foundation

/// Makes, finalizes and reads invoices, and the margin report: meters each tenant's deployments
/// from the inventory (their resources and presence intervals) against the rate cards.
public struct InvoiceService: Sendable {
    let billing: any BillingStore
    let inventory: any InventoryStore
    let now: @Sendable () -> Date
    /// Brings a tenant's statuses up to date with its lifecycle sagas before it is billed (so an
    /// offboarded deployment's end is known whoever looked last).
    let refresh: @Sendable (String) async throws -> Void

    /// A service over the billing and inventory stores (one database).
    public init(
        billing: any BillingStore, inventory: any InventoryStore, now: @escaping @Sendable () -> Date = { Date() },
        refresh: @escaping @Sendable (String) async throws -> Void = { _ in }
    ) {
        self.billing = billing
        self.inventory = inventory
        self.now = now
        self.refresh = refresh
    }

    /// Makes (or makes again) the draft invoice of `tenantID` for `period`: one per tenant and
    /// period, its id kept; refused once finalized.
    public func generate(tenantID: String, period: BillingPeriod) async throws -> Invoice {
        try await generate(tenantIDs: [tenantID], period: period)[0]
    }

    /// Drafts for several tenants, metering the inventory once for all of them.
    public func generate(tenantIDs: [String], period: BillingPeriod) async throws -> [Invoice] {
        let now = self.now()
        guard period.start <= now else {
            throw BillingError(.invalidField, "\(period) has not begun; a draft can be made from its first day")
        }
        let cards = try await billing.rateCards()
        let usage = try await Usage.load(inventory: inventory, period: period)
        var invoices: [Invoice] = []
        for tenantID in tenantIDs {
            guard let tenant = try await billing.tenant(id: tenantID) else { throw BillingError(.notFound, "no tenant '\(tenantID)'") }
            try await refresh(tenantID)
            // Only the cards in the tenant's currency price its invoices.
            let calculator = InvoiceCalculator(schedule: try RateCardSchedule(cards.filter { $0.currency == tenant.currency }))
            let deployments = try await billing.deployments(tenantID: tenantID)
            let lines = try calculator.lines(period: period, deployments: deployments, resources: usage.resources(of: deployments), until: now)
            let draft = Invoice(tenantID: tenant.id, period: period, currency: tenant.currency, lines: lines, generatedAt: now)
            invoices.append(try await billing.saveDraft(draft))
        }
        return invoices
    }

    /// Finalizes the draft: numbered, immutable.
    /// Finalizes the draft: numbered, immutable. Refused before the month has ended (its draft
    /// bills time only up to when it was made).
    public func finalize(tenantID: String, period: BillingPeriod) async throws -> Invoice {
        let now = self.now()
        guard now >= period.end else {
            throw BillingError(.invalidField, "\(period) has not ended; finalize its invoice from \(BillingPeriod.iso(period.end)) on")
        }
        guard let draft = try await billing.invoice(tenantID: tenantID, period: period) else {
            throw BillingError(.notFound, "no invoice of \(tenantID) for \(period); generate it first")
        }
        // A draft made before the month ended is made again first, so the final invoice is whole.
        if draft.status == .draft, draft.generatedAt < period.end { _ = try await generate(tenantID: tenantID, period: period) }
        return try await billing.finalizeInvoice(tenantID: tenantID, period: period, at: now)
    }

    /// Per tenant and deployment: what Arcadia invoices against what DigitalOcean charges for
    /// the same resources (by DigitalOcean's rules) over the same time, from the invoices of
    /// `period` as they stand (drafts included, costed up to when they were made, as they bill;
    /// a tenant without one is left out).
    ///
    /// `providerCharges`: what DigitalOcean's own invoice for the month charged, by resource id
    /// (its invoice items); a resource found there is costed at that, others by the rules.
    public func margin(period: BillingPeriod, providerCharges: [String: Decimal] = [:]) async throws -> [MarginRow] {
        let usage = try await Usage.load(inventory: inventory, period: period)
        var rows: [MarginRow] = []
        for tenant in try await billing.tenants() {
            guard let invoice = try await billing.invoice(tenantID: tenant.id, period: period) else { continue }
            for deployment in try await billing.deployments(tenantID: tenant.id) {
                let invoiced = invoice.lines.filter { $0.deploymentID == deployment.id }.reduce(Decimal(0)) { $0 + $1.amount }
                let cost = usage.resources(of: [deployment]).reduce(Decimal(0)) { total, resource in
                    total
                        + (providerCharges[resource.providerID]
                            ?? DigitalOceanCost.cost(of: resource, period: period, until: min(invoice.generatedAt, period.end)))
                }
                rows.append(
                    MarginRow(
                        tenantID: tenant.id, deploymentID: deployment.id, currency: invoice.currency, invoiced: invoiced, providerCost: cost,
                        invoiceStatus: invoice.status))
            }
        }
        return rows
    }
}
