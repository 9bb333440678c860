import ArcadiaServer
import ArgumentParser
import Billing
import Foundation

/// `arcadia invoice …`: monthly invoices.
struct InvoiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "Generate, finalize, show and export monthly invoices.",
        subcommands: [InvoiceGenerateCommand.self, InvoiceFinalizeCommand.self, InvoiceShowCommand.self, InvoiceExportCommand.self])
}

/// `--tenant T --period YYYY-MM`, shared by the invoice commands.
struct InvoiceTarget: ParsableArguments {
    @Option(help: "The tenant.")
    var tenant: String

    @Option(help: "The month, YYYY-MM (UTC).")
    var period: String

    func validate() throws {
        guard BillingPeriod(period) != nil else { throw ValidationError("--period '\(period)' is not a month; use YYYY-MM, e.g. 2026-11") }
    }

    var month: BillingPeriod { BillingPeriod(period)! }
}

/// `arcadia invoice generate`: the draft, made again from the inventory each time.
struct InvoiceGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Make the draft invoice of a tenant for a month (again: it replaces the draft; never a second).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: InvoiceTarget

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let target = self.target
        let invoice = try await BillingStoreAccess.run(database) { store in
            try await BillingStoreAccess.invoicing(store).generate(tenantID: target.tenant, period: target.month)
        }
        print(json ? BillingJSON.text(BillingJSON.invoice(invoice)) : BillingPrinter.invoice(invoice))
    }
}

/// `arcadia invoice finalize`.
struct InvoiceFinalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finalize", abstract: "Finalize the draft: numbered (without gaps) and never changed again.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: InvoiceTarget

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let target = self.target
        let invoice = try await BillingStoreAccess.run(database) { store in
            try await BillingStoreAccess.invoicing(store).finalize(tenantID: target.tenant, period: target.month)
        }
        print(
            json
                ? BillingJSON.text(BillingJSON.invoice(invoice))
                : "invoice \(invoice.number ?? 0) of \(invoice.tenantID) for \(invoice.period) finalized: \(BillingJSON.money(invoice.total)) \(invoice.currency)"
        )
    }
}

/// `arcadia invoice show`.
struct InvoiceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an invoice and its lines.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: InvoiceTarget

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let invoice = try await InvoiceExportCommand.load(database, target)
        print(json ? BillingJSON.text(BillingJSON.invoice(invoice)) : BillingPrinter.invoice(invoice))
    }
}

/// `arcadia invoice export`.
struct InvoiceExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export an invoice as CSV or JSON.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: InvoiceTarget

    @Option(help: "csv or json.")
    var format: String

    func validate() throws {
        guard ["csv", "json"].contains(format) else { throw ValidationError("--format must be csv or json, not '\(format)'") }
    }

    func run() async throws {
        let invoice = try await Self.load(database, target)
        if format == "csv" {
            FileHandle.standardOutput.write(Data(BillingJSON.csv(invoice).utf8))
        } else {
            print(BillingJSON.text(BillingJSON.invoice(invoice)))
        }
    }

    static func load(_ database: DatabaseOptions, _ target: InvoiceTarget) async throws -> Invoice {
        try await BillingStoreAccess.run(database) { store in
            guard let invoice = try await store.invoice(tenantID: target.tenant, period: target.month) else {
                throw BillingError(.notFound, "no invoice of \(target.tenant) for \(target.period); make one with `arcadia invoice generate`")
            }
            return invoice
        }
    }
}
