public import Foundation

/// One deployment's month: what its tenant is invoiced against what DigitalOcean charges.
public struct MarginRow: Sendable, Hashable {
    /// The currency DigitalOcean charges in.
    public static let providerCurrency = "USD"

    public var tenantID: String
    public var deploymentID: String
    /// The invoice's currency.
    public var currency: String
    public var invoiced: Decimal
    /// DigitalOcean's charge, in ``providerCurrency``.
    public var providerCost: Decimal
    public var invoiceStatus: Invoice.Status

    /// Invoiced minus DigitalOcean's cost, when the invoice is in DigitalOcean's currency; nil
    /// otherwise (Arcadia converts no currencies: the two amounts stand side by side).
    public var margin: Decimal? { currency == Self.providerCurrency ? invoiced - providerCost : nil }
}
