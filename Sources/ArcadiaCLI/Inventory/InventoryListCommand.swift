import ArcadiaServer
import ArgumentParser
import CloudOps
import Logging

/// `arcadia inventory list`: the inventory rows.
struct InventoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the inventory (live resources unless --deleted).")

    @OptionGroup var target: TargetOptions

    @Option(help: "Only this kind (\(InventoryKind.names.joined(separator: ", "))).")
    var kind: String?

    @Flag(help: "Include resources marked deleted.")
    var deleted = false

    @Flag(help: "Print a JSON array.")
    var json = false

    func validate() throws {
        if let kind, !InventoryKind.names.contains(kind) {
            throw ValidationError("unknown kind '\(kind)'; known kinds: \(InventoryKind.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let (kind, deleted, json) = (self.kind, self.deleted, self.json)
        let rows = try await target.withInventoryOperations(logger: Logger(label: "arcadia.cli")) { inventory in
            try await inventory.resources(kind: kind, includeDeleted: deleted)
        }
        print(json ? InventoryJSON.encode(rows.map(InventoryJSON.Resource.init)) : InventoryPrinter.resources(rows))
    }
}
