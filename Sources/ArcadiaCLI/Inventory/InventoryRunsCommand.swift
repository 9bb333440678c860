import ArcadiaServer
import ArgumentParser
import CloudOps
import Logging

/// `arcadia inventory runs`: the latest sync runs.
struct InventoryRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Show the latest inventory syncs, newest first.")

    @OptionGroup var target: TargetOptions

    @Option(help: "At most this many (1 to 1000).")
    var limit: Int = 20

    @Flag(help: "Print a JSON array.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let (limit, json) = (self.limit, self.json)
        let runs = try await target.withInventoryOperations(logger: Logger(label: "arcadia.cli")) { inventory in
            try await inventory.runs(limit: limit)
        }
        print(json ? InventoryJSON.encode(runs.map(InventoryJSON.Run.init)) : runs.map(InventoryPrinter.run).joined(separator: "\n\n"))
    }
}
