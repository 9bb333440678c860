import ArcadiaServer
import ArgumentParser
import Billing
import Foundation

/// `arcadia deployment …`: tenants' instances of the stack.
struct DeploymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployment", abstract: "Create and list deployments (a tenant's instance of the stack).",
        subcommands: [DeploymentCreateCommand.self, DeploymentListCommand.self])
}

/// `arcadia deployment create`.
struct DeploymentCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Add a deployment; its resources carry the tag deployment:<id> or are made by sagas for it.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A short stable id (letters, digits, - and _).")
    var id: String

    @Option(help: "The tenant it belongs to.")
    var tenant: String

    @Option(help: "A name for people (default: the id).")
    var name: String?

    @Option(help: "DigitalOcean region slug.")
    var region: String

    @Option(help: "The plan whose base fee the rate card sets.")
    var plan: String

    @Option(help: "When it came into being, ISO 8601 (default: now); its base fee runs from then.")
    var createdAt: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let createdAt, ISO8601DateFormatter().date(from: createdAt) == nil {
            throw ValidationError("--created-at '\(createdAt)' is not an ISO 8601 time such as 2026-11-01T00:00:00Z")
        }
        try BillingFlags.check {
            try BillingValidation.deployment(Deployment(id: id, tenantID: tenant, name: name ?? id, region: region, plan: plan, createdAt: Date()))
        }
    }

    func run() async throws {
        let deployment = Deployment(
            id: id, tenantID: tenant, name: name ?? id, region: region, plan: plan,
            createdAt: createdAt.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date())
        try await BillingStoreAccess.run(database) { store in try await store.insertDeployment(deployment) }
        print(json ? BillingJSON.text(BillingJSON.deployment(deployment)) : "deployment \(deployment.id) of \(deployment.tenantID) created")
    }
}

/// `arcadia deployment list`.
struct DeploymentListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List deployments.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this tenant's.")
    var tenant: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let tenant = self.tenant
        let deployments = try await BillingStoreAccess.run(database) { store in try await store.deployments(tenantID: tenant) }
        if json { return print(BillingJSON.text(deployments.map(BillingJSON.deployment))) }
        guard !deployments.isEmpty else { return print("no deployments") }
        print(
            SagaPrinter.pad("ID", 20) + SagaPrinter.pad("TENANT", 16) + SagaPrinter.pad("PLAN", 12) + SagaPrinter.pad("REGION", 8)
                + SagaPrinter.pad("STATUS", 12) + "CREATED")
        for deployment in deployments {
            print(
                SagaPrinter.pad(deployment.id, 20) + SagaPrinter.pad(deployment.tenantID, 16) + SagaPrinter.pad(deployment.plan, 12)
                    + SagaPrinter.pad(deployment.region, 8) + SagaPrinter.pad(deployment.status.rawValue, 12)
                    + BillingPeriod.iso(deployment.createdAt))
        }
    }
}
