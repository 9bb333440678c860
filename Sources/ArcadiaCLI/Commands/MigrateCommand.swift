import ArcadiaStorage
import ArgumentParser
import Logging

/// `arcadia migrate`: applies pending schema migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.info)
        let url = try database.url()
        try await StoreFactory.withStore(url, migrate: true, logger: Logger(label: "arcadia.migrate")) { _ in }
        print("database \(url) is migrated")
    }
}
