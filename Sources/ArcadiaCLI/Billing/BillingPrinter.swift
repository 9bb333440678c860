import ArcadiaServer
import Billing

/// Human-readable invoices for the terminal.
enum BillingPrinter {
    static func invoice(_ invoice: Invoice) -> String {
        var lines = [
            "invoice   \(invoice.number.map { "#\($0)" } ?? "draft") of \(invoice.tenantID) for \(invoice.period) (\(invoice.status.rawValue))",
            "total     \(BillingJSON.money(invoice.total)) \(invoice.currency)",
            "",
            SagaPrinter.pad("DEPLOYMENT", 16) + SagaPrinter.pad("WHAT", 28) + SagaPrinter.pad("SIZE", 14) + SagaPrinter.pad("QUANTITY", 20)
                + SagaPrinter.pad("UNIT PRICE", 12) + SagaPrinter.pad("AMOUNT", 10) + "CARD",
        ]
        for line in invoice.lines {
            let what = line.category == .baseFee ? "base fee" : "\(line.kind ?? "") \(line.name)"
            lines.append(
                SagaPrinter.pad(line.deploymentID, 16) + SagaPrinter.pad(String(what.prefix(27)), 28) + SagaPrinter.pad(line.size ?? "", 14)
                    + SagaPrinter.pad("\(BillingJSON.quantity(line.quantity)) \(line.unit)", 20) + SagaPrinter.pad("\(line.unitPrice)", 12)
                    + SagaPrinter.pad(BillingJSON.money(line.amount), 10) + line.rateCard + (line.note.map { "  (\($0))" } ?? ""))
        }
        if invoice.lines.isEmpty { lines.append("(no lines)") }
        return lines.joined(separator: "\n")
    }
}
