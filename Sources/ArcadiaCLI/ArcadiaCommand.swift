import ArgumentParser

/// `arcadia`: the command-line interface.
public struct ArcadiaCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "arcadia",
        abstract: "Arcadia: a control plane for a hosted product on DigitalOcean, built on durable sagas.",
        subcommands: [
            MigrateCommand.self, WorkerCommand.self, SagaCommand.self, InventoryCommand.self, DriftCommand.self, TokenCommand.self, ServeCommand.self,
            DemoCommand.self, TenantCommand.self, DeploymentCommand.self, RateCardCommand.self, InvoiceCommand.self, BillingCommand.self,
            FakeDigitalOceanCommand.self,
            BenchCommand.self,
        ])

    public init() {}

    /// Runs the command line, reading the optional `.env` first, so that checking the arguments
    /// already sees what it sets (`ARCADIA_SERVER`, say).
    public static func runFromCommandLine() async {
        DotEnv.load()
        await main(nil)
    }
}
