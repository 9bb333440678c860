import ArcadiaServer
import ArgumentParser
import Billing
import CloudOps
import DigitalOcean
import Foundation

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
    @OptionGroup var digitalOcean: DigitalOceanOptions

    @Option(help: "The month, YYYY-MM (UTC).")
    var period: String

    @Flag(
        help:
            "Cost resources at what DigitalOcean's own invoice for the month (or the preview, for the month in progress) charged, where it lists them (needs ARCADIA_DO_TOKEN_INVENTORY)."
    )
    var fromDigitalocean = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard BillingPeriod(period) != nil else { throw ValidationError("--period '\(period)' is not a month; use YYYY-MM, e.g. 2026-11") }
    }

    func run() async throws {
        let month = BillingPeriod(period)!
        var charges: [String: Decimal] = [:]
        if fromDigitalocean {
            guard let client = digitalOcean.environment.clients().inventory else {
                throw ValidationError("--from-digitalocean needs \(DigitalOceanEnvironment.inventoryTokenVariable), a read-only token")
            }
            charges = try await Self.providerCharges(client, period: month)
        }
        let providerCharges = charges
        let rows = try await BillingStoreAccess.run(database) { store in
            try await BillingStoreAccess.invoicing(store).margin(period: month, providerCharges: providerCharges)
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
                    + SagaPrinter.pad(row.margin.map(BillingJSON.money) ?? "-", 12) + row.invoiceStatus.rawValue)
        }
    }

    /// What DigitalOcean's invoice for `period` charged, by resource id or uuid: its items summed
    /// (two equal lines are two lines). The preview for the month in progress.
    static func providerCharges(_ client: DigitalOceanClient, period: BillingPeriod) async throws -> [String: Decimal] {
        var uuid: String?
        if BillingPeriod(containing: Date()) == period {
            uuid = "preview"
        } else {
            for try await invoice in client.invoices() where invoice.invoicePeriod == period.description { uuid = invoice.invoiceUUID }
        }
        guard let uuid else { throw ValidationError("DigitalOcean has no invoice for \(period) (yet)") }
        var charges: [String: Decimal] = [:]
        // Droplets are named by their numeric resource_id; volumes, load balancers and databases
        // by resource_uuid: an item counts under each id it gives, and a resource is looked up by its own.
        for try await item in client.invoiceItems(invoiceUUID: uuid) {
            for id in Set([item.resourceID, item.resourceUUID].compactMap { $0 }.filter { !$0.isEmpty }) { charges[id, default: 0] += item.amount }
        }
        return charges
    }
}
