import ArcadiaServer
import ArgumentParser
import CloudOps
import Logging

/// `arcadia drift`: desired state against the inventory.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", abstract: "Report missing, changed and orphaned resources against the last inventory sync.",
        discussion: "Act on one item with the `reconcile` template (inputs kind, provider_id, action).")

    @OptionGroup var target: TargetOptions

    @Flag(help: "Print {\"missing\": [...], \"changed\": [...], \"orphaned\": [...], \"in_sync\": N}.")
    var json = false

    @Flag(help: "Exit with status 4 when there is drift (0 otherwise).")
    var detailedExitCode = false

    @Option(help: "Seconds a managed resource without desired state must have existed to count as orphaned (younger: its saga may still run).")
    var orphanMinimumAgeSeconds: Double?

    func validate() throws {
        if let age = orphanMinimumAgeSeconds {
            guard age >= 0 else { throw ValidationError("--orphan-minimum-age-seconds must not be negative") }
            if target.isRemote { throw ValidationError("--orphan-minimum-age-seconds works on the database only; a server uses its own") }
        }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let age = orphanMinimumAgeSeconds ?? 1800
        let report = try await target.withInventoryOperations(logger: Logger(label: "arcadia.cli"), orphanMinimumAge: age) { inventory in
            try await inventory.drift()
        }
        print(json ? InventoryJSON.encode(report) : InventoryPrinter.drift(report))
        if detailedExitCode && !(report.missing.isEmpty && report.changed.isEmpty && report.orphaned.isEmpty) { throw ExitCode(4) }
    }
}
