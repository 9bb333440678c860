import ArcadiaServer
import ArgumentParser
import Billing

/// `arcadia billing …`: reports.
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing", abstract: "Billing reports.", subcommands: [BillingMarginCommand.self])
}

/// `arcadia billing margin --period P`.
struct BillingMarginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "margin",
        abstract: "Per tenant and deployment: what Arcadia invoices (the month's invoice, draft or final) against what DigitalOcean charges.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The month, YYYY-MM (UTC).")
    var period: String

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard BillingPeriod(period) != nil else { throw ValidationError("--period '\(period)' is not a month; use YYYY-MM, e.g. 2026-11") }
    }

    func run() async throws {
        let month = BillingPeriod(period)!
        let rows = try await BillingStoreAccess.run(database) { store in
            try await BillingStoreAccess.invoicing(store).margin(period: month)
        }
        if json { return print(BillingJSON.text(rows.map(BillingJSON.margin))) }
        guard !rows.isEmpty else { return print("no invoices for \(month); make them with `arcadia invoice generate`") }
        print(
            SagaPrinter.pad("TENANT", 16) + SagaPrinter.pad("DEPLOYMENT", 20) + SagaPrinter.pad("INVOICED", 12) + SagaPrinter.pad("DO COST", 12)
                + SagaPrinter.pad("MARGIN", 12) + "INVOICE")
        for row in rows {
            print(
                SagaPrinter.pad(row.tenantID, 16) + SagaPrinter.pad(row.deploymentID, 20)
                    + SagaPrinter.pad(BillingJSON.money(row.invoiced), 12) + SagaPrinter.pad(BillingJSON.money(row.providerCost), 12)
                    + SagaPrinter.pad(BillingJSON.money(row.margin), 12) + row.invoiceStatus.rawValue)
        }
    }
}
