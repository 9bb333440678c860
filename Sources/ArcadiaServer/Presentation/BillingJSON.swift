public import Billing
public import Foundation

/// The JSON (and CSV) of billing objects that the CLI prints and the API answers: snake_case
/// keys, ISO 8601 dates, money and quantities as exact decimal strings (amounts with the
/// currency's two places, quantities with up to six).
public enum BillingJSON {
    /// Pretty JSON text of a JSON-compatible object.
    public static func text(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public static func date(_ date: Date?) -> Any { date.map(BillingPeriod.iso) ?? NSNull() }

    public static func money(_ value: Decimal) -> String { MoneyRounding.text(value) }

    /// A quantity with at most six decimal places, trailing zeros dropped ("3.333333", "672").
    public static func quantity(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: MoneyRounding.round(value, scale: 6)).stringValue
    }

    public static func tenant(_ tenant: Tenant) -> [String: Any] {
        [
            "id": tenant.id, "name": tenant.name, "billing_email": tenant.billingEmail, "status": tenant.status.rawValue,
            "currency": tenant.currency, "created_at": date(tenant.createdAt),
        ]
    }

    public static func deployment(_ deployment: Deployment) -> [String: Any] {
        [
            "id": deployment.id, "tenant_id": deployment.tenantID, "name": deployment.name, "region": deployment.region, "plan": deployment.plan,
            "status": deployment.status.rawValue, "created_at": date(deployment.createdAt), "ended_at": date(deployment.endedAt),
        ]
    }

    public static func line(_ line: InvoiceLine) -> [String: Any] {
        [
            "deployment_id": line.deploymentID, "category": line.category.rawValue, "resource": line.resource ?? NSNull(), "name": line.name,
            "kind": line.kind ?? NSNull(), "size": line.size ?? NSNull(), "from": date(line.from), "to": date(line.to),
            "quantity": quantity(line.quantity), "unit": line.unit, "unit_price": NSDecimalNumber(decimal: line.unitPrice).stringValue,
            "amount": money(line.amount), "rate_card": line.rateCard, "note": line.note ?? NSNull(),
        ]
    }

    public static func invoice(_ invoice: Invoice) -> [String: Any] {
        [
            "id": invoice.id.uuidString.lowercased(), "tenant_id": invoice.tenantID, "period": invoice.period.description,
            "status": invoice.status.rawValue, "number": invoice.number ?? NSNull(), "currency": invoice.currency, "total": money(invoice.total),
            "generated_at": date(invoice.generatedAt), "finalized_at": date(invoice.finalizedAt), "lines": invoice.lines.map(line),
        ]
    }

    /// A margin row; `margin` is absent when the invoice is not in DigitalOcean's currency.
    public static func margin(_ row: MarginRow) -> [String: Any] {
        var object: [String: Any] = [
            "tenant_id": row.tenantID, "deployment_id": row.deploymentID, "currency": row.currency, "invoiced": money(row.invoiced),
            "provider_cost": money(row.providerCost), "provider_currency": MarginRow.providerCurrency, "invoice_status": row.invoiceStatus.rawValue,
        ]
        if let margin = row.margin { object["margin"] = money(margin) }
        return object
    }

    /// The invoice as CSV (RFC 4180): a header, one row per line, and a last `total` row.
    public static func csv(_ invoice: Invoice) -> String {
        let header = [
            "invoice", "period", "deployment_id", "category", "resource", "name", "kind", "size", "from", "to", "quantity", "unit", "unit_price",
            "amount", "currency", "rate_card", "note",
        ]
        let number = invoice.number.map(String.init) ?? "draft"
        var rows = [header]
        for line in invoice.lines {
            rows.append([
                number, invoice.period.description, line.deploymentID, line.category.rawValue, line.resource ?? "", line.name, line.kind ?? "",
                line.size ?? "", BillingPeriod.iso(line.from), BillingPeriod.iso(line.to), quantity(line.quantity), line.unit,
                NSDecimalNumber(decimal: line.unitPrice).stringValue, money(line.amount), invoice.currency, line.rateCard, line.note ?? "",
            ])
        }
        rows.append([
            number, invoice.period.description, "", "total", "", "", "", "", "", "", "", "", "", money(invoice.total), invoice.currency, "", "",
        ])
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A CSV field, quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
    /// `@`, tab or carriage return is prefixed with `'` so spreadsheets do not run it as a formula.
    static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+@\t\r".contains(first) || (first == "-" && Double(value) == nil) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
