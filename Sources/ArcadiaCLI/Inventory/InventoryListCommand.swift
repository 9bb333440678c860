import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import CloudOps
import Logging

/// `arcadia inventory list`: the inventory rows.
struct InventoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the inventory (live resources unless --deleted).")

    @OptionGroup var database: DatabaseOptions

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
        let rows = try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in
            try await store.resources(kind: kind, includeDeleted: deleted)
        }
        print(json ? InventoryJSON.encode(rows.map(InventoryJSON.Resource.init)) : InventoryPrinter.resources(rows))
    }
}
