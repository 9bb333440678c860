import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import CloudOps
import Logging

/// `arcadia drift`: desired state against the inventory.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", abstract: "Report missing, changed and orphaned resources against the last inventory sync.",
        discussion: "Act on one item with the `reconcile` template (inputs kind, provider_id, action).")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print {\"missing\": [...], \"changed\": [...], \"orphaned\": [...], \"in_sync\": N}.")
    var json = false

    @Flag(help: "Exit with status 4 when there is drift (0 otherwise).")
    var detailedExitCode = false

    @Option(help: "Seconds a managed resource without desired state must have existed to count as orphaned (younger: its saga may still run).")
    var orphanMinimumAgeSeconds: Double = 1800

    func validate() throws {
        guard orphanMinimumAgeSeconds >= 0 else { throw ValidationError("--orphan-minimum-age-seconds must not be negative") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let age = orphanMinimumAgeSeconds
        let report = try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in
            try await DriftDetector(store: store, orphanMinimumAge: age).report()
        }
        print(json ? InventoryJSON.encode(report) : InventoryPrinter.drift(report))
        if detailedExitCode && !(report.missing.isEmpty && report.changed.isEmpty && report.orphaned.isEmpty) { throw ExitCode(4) }
    }
}
