import ArcadiaServer
import ArgumentParser
import Billing
import Foundation
import Logging
import SagaEngine

/// `arcadia tenant …`: the customers billed.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create, list, suspend, resume and offboard tenants (the customers billed).",
        subcommands: [
            TenantCreateCommand.self, TenantListCommand.self, TenantSuspendCommand.self, TenantResumeCommand.self, TenantOffboardCommand.self,
        ])
}

/// `arcadia tenant create`.
struct TenantCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Add a tenant.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A short stable id (letters, digits, - and _), also the scope of its tenant tokens.")
    var id: String

    @Option(help: "Its name.")
    var name: String

    @Option(help: "Where invoices go.")
    var email: String

    @Option(help: "ISO 4217 currency of its invoices.")
    var currency = "USD"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        try BillingValidation.identifier(id, "tenant id")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw ValidationError("--name must be 1 to 200 characters")
        }
        guard email.contains("@"), email.count <= 320, !email.contains(where: \.isWhitespace) else {
            throw ValidationError("--email '\(email)' is not an email address")
        }
        if let problem = MoneyRounding.currencyProblem(currency) { throw ValidationError("--currency: \(problem)") }
    }

    func run() async throws {
        let tenant = Tenant(id: id, name: name, billingEmail: email, currency: currency, createdAt: Date())
        try await BillingStoreAccess.run(database) { store in try await store.insertTenant(tenant) }
        print(json ? BillingJSON.text(BillingJSON.tenant(tenant)) : "tenant \(tenant.id) (\(tenant.name)) created")
    }
}

/// `arcadia tenant list`.
struct TenantListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tenants.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        // Statuses follow the lifecycle sagas: worked out again before they are shown.
        let tenants = try await BillingStoreAccess.run(database) { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: Logger(label: "arcadia.cli"))
            let lifecycle = TenantLifecycle(billing: store, engine: engine)
            var tenants: [Tenant] = []
            for tenant in try await store.tenants() { tenants.append(try await lifecycle.refresh(tenantID: tenant.id)) }
            return tenants
        }
        if json { return print(BillingJSON.text(tenants.map(BillingJSON.tenant))) }
        guard !tenants.isEmpty else { return print("no tenants") }
        print(SagaPrinter.pad("ID", 20) + SagaPrinter.pad("NAME", 24) + SagaPrinter.pad("STATUS", 12) + SagaPrinter.pad("CURRENCY", 10) + "EMAIL")
        for tenant in tenants {
            print(
                SagaPrinter.pad(tenant.id, 20) + SagaPrinter.pad(tenant.name, 24) + SagaPrinter.pad(tenant.status.rawValue, 12)
                    + SagaPrinter.pad(tenant.currency, 10) + tenant.billingEmail)
        }
    }
}
