public import Foundation

/// One deployment's month: what its tenant is invoiced against what DigitalOcean charges.
public struct MarginRow: Sendable, Hashable {
    public var tenantID: String
    public var deploymentID: String
    public var currency: String
    public var invoiced: Decimal
    public var providerCost: Decimal
    public var invoiceStatus: Invoice.Status

    /// Invoiced minus DigitalOcean's cost.
    public var margin: Decimal { invoiced - providerCost }
}
