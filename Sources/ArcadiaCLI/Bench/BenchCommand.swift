import ArgumentParser

/// `arcadia bench …`: measurements.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Arcadia on this machine.",
        subcommands: [EngineBenchCommand.self, SyncBenchCommand.self, APIBenchCommand.self, BillingBenchCommand.self])
}
