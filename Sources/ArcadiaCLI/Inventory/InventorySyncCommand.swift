import ArcadiaServer
import ArgumentParser
import CloudOps
import Foundation
import Logging

/// `arcadia inventory sync`: one sync now, with the read-only inventory token.
struct InventorySyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync the inventory now (needs ARCADIA_DO_TOKEN_INVENTORY); fails while another sync runs.",
        discussion: "Exit status: 0 when every kind was listed, 3 when some kinds failed (partial), 1 on error.")

    @OptionGroup var target: TargetOptions
    @OptionGroup var digitalOcean: DigitalOceanOptions

    @Option(help: "Only these kinds (comma-separated; default all: \(InventoryKind.names.joined(separator: ", "))).")
    var kinds: String?

    @Flag(help: "Print the sync run as JSON.")
    var json = false

    func validate() throws {
        if kinds != nil, target.isRemote { throw ValidationError("--kinds works on the database only; a server syncs every kind") }
        if let kinds {
            for kind in kinds.split(separator: ",").map(String.init) where !InventoryKind.names.contains(kind) {
                throw ValidationError("unknown kind '\(kind)'; known kinds: \(InventoryKind.names.joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let logger = Logger(label: "arcadia.inventory")
        let client = target.isRemote ? nil : digitalOcean.environment.clients().inventory
        if !target.isRemote, client == nil {
            throw ValidationError(
                "no inventory token: set \(DigitalOceanEnvironment.inventoryTokenVariable) (or --do-token-inventory) to a read-only token")
        }
        let selected = kinds.map { Set($0.split(separator: ",").map(String.init)) }
        let json = self.json
        let run = try await target.withInventoryOperations(logger: logger) { store in
            try client.map { client in
                try InventorySync(
                    client: client, store: store, configuration: InventorySyncConfiguration(kinds: selected),
                    holder: "cli:\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)", logger: logger)
            }
        } _: { inventory in
            try await inventory.sync()
        }
        print(json ? InventoryJSON.encode(InventoryJSON.Run(run: run)) : InventoryPrinter.run(run))
        if run.status != .succeeded { throw ExitCode(3) }
    }
}
