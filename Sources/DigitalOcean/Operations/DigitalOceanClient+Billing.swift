import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/customers/my/balance` (a bare object, no envelope).
    public func balance() async throws -> Balance {
        try await object(Balance.self, .GET, "/v2/customers/my/balance", key: nil)
    }

    /// `GET /v2/customers/my/billing_history`.
    public func billingHistory() -> PaginatedSequence<BillingHistoryEntry> {
        collection(BillingHistoryEntry.self, "/v2/customers/my/billing_history", key: "billing_history")
    }

    /// `GET /v2/customers/my/invoices`.
    public func invoices() -> PaginatedSequence<Invoice> {
        collection(Invoice.self, "/v2/customers/my/invoices", key: "invoices")
    }

    /// `GET /v2/customers/my/invoices/{uuid}`: the items of one invoice (`preview` for the
    /// running month).
    public func invoiceItems(invoiceUUID: String) -> PaginatedSequence<InvoiceItem> {
        collection(InvoiceItem.self, "/v2/customers/my/invoices/\(invoiceUUID)", key: "invoice_items")
    }
}
