import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Billing
import Foundation
import Logging
import SagaEngine

/// Runs a lifecycle action on a tenant: starts its sagas, waits for them with `--wait` (a worker
/// or `arcadia serve` runs them), and prints the tenant as the sagas left it.
private func act(_ action: TenantAction, _ database: DatabaseOptions, tenant: String, wait: Bool, json: Bool) async throws {
    let (sagas, refreshed) = try await BillingStoreAccess.run(database) { store in
        let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: Logger(label: "arcadia.cli"))
        let lifecycle = TenantLifecycle(billing: store, engine: engine)
        var sagas = try await lifecycle.start(action, tenantID: tenant, triggeredBy: "cli")
        if wait {
            for (index, saga) in sagas.enumerated() where !saga.status.isTerminal {
                sagas[index] = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(3600))
            }
        }
        return (sagas, try await lifecycle.refresh(tenantID: tenant))
    }
    if json {
        print(
            BillingJSON.text([
                "tenant": BillingJSON.tenant(refreshed),
                "sagas": sagas.map {
                    [
                        "id": $0.id.uuidString.lowercased(), "template": $0.template, "status": $0.status.rawValue,
                        "deployment_id": $0.deploymentID ?? NSNull(),
                    ] as [String: Any]
                },
            ]))
    } else {
        for saga in sagas {
            print("\(saga.template) for \(saga.deploymentID ?? "?"): saga \(saga.id.uuidString.lowercased()) \(saga.status.rawValue)")
        }
        print("tenant \(refreshed.id) is \(refreshed.status.rawValue)")
    }
    if wait, sagas.contains(where: { $0.status != .completed }) { throw CLIExit.sagaNotCompleted }
}

/// `--wait` and `--json` of the lifecycle commands.
struct TenantActionOptions: ParsableArguments {
    @Argument(help: "The tenant.")
    var tenant: String

    @Flag(help: "Wait for the sagas to end (a worker or `arcadia serve` runs them); exit 1 unless all completed.")
    var wait = false

    @Flag(help: "Print JSON: the tenant and the sagas.")
    var json = false
}

/// `arcadia tenant suspend`.
struct TenantSuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend", abstract: "Power off every droplet of the tenant's active deployments (suspend-deployment sagas).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: TenantActionOptions
    func run() async throws { try await act(.suspend, database, tenant: options.tenant, wait: options.wait, json: options.json) }
}

/// `arcadia tenant resume`.
struct TenantResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Power the tenant's suspended deployments on again (resume-deployment sagas).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: TenantActionOptions
    func run() async throws { try await act(.resume, database, tenant: options.tenant, wait: options.wait, json: options.json) }
}

/// `arcadia tenant offboard`.
struct TenantOffboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offboard", abstract: "Offboard every deployment of the tenant (offboard-deployment sagas); its base fees stop.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: TenantActionOptions
    func run() async throws { try await act(.offboard, database, tenant: options.tenant, wait: options.wait, json: options.json) }
}
