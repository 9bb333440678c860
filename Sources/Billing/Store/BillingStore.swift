public import Foundation

/// Where tenants, deployments, rate cards and invoices live; one implementation per database
/// backend in `ArcadiaStorage`. Money is stored as exact decimal text.
public protocol BillingStore: Sendable {
    /// Adds a tenant; ``BillingError/Code/invalidInput`` when the id is taken.
    func insertTenant(_ tenant: Tenant) async throws
    func tenant(id: String) async throws -> Tenant?
    /// Every tenant, by id.
    func tenants() async throws -> [Tenant]
    /// Sets a tenant's status; false when there is no such tenant.
    func setTenantStatus(id: String, status: Tenant.Status) async throws -> Bool

    /// Adds a deployment; ``BillingError/Code/invalidInput`` when the id is taken.
    func insertDeployment(_ deployment: Deployment) async throws
    /// A tenant's deployments (all tenants' when nil), by id.
    func deployments(tenantID: String?) async throws -> [Deployment]
    /// Sets a deployment's status and end; false when there is no such deployment.
    func setDeploymentStatus(id: String, status: Deployment.Status, endedAt: Date?) async throws -> Bool

    /// Adds a rate card; ``BillingError/Code/invalidRateCard`` when another takes effect at the same instant.
    func insertRateCard(_ card: RateCard) async throws
    /// Every rate card, oldest first.
    func rateCards() async throws -> [RateCard]

    /// Stores a draft, replacing the tenant's draft for the period if there is one; refused
    /// (``BillingError/Code/finalized``) when that invoice is finalized. Answers the stored draft.
    func saveDraft(_ invoice: Invoice) async throws -> Invoice
    /// Finalizes the tenant's draft for the period with the next invoice number; refused when
    /// there is no draft or it is finalized already.
    func finalizeInvoice(tenantID: String, period: BillingPeriod, at: Date) async throws -> Invoice
    func invoice(tenantID: String, period: BillingPeriod) async throws -> Invoice?
    /// Invoices of one tenant (all when nil), newest period first.
    func invoices(tenantID: String?) async throws -> [Invoice]
}
