import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Logging
import SagaEngine

/// `arcadia saga list`: the newest sagas, filtered.
struct SagaListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List sagas, newest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this status (\(SagaStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: String?

    @Option(help: "Only this template.")
    var template: String?

    @Option(help: "At most this many (1 to 10000).")
    var limit: Int = 50

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let status, SagaStatus(rawValue: status) == nil {
            throw ValidationError(
                "unknown status '\(status)'; use one of: \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let filter = SagaFilter(status: status.flatMap(SagaStatus.init(rawValue:)), template: template, limit: limit)
        let json = self.json
        try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in
            let sagas = try await store.list(filter)
            print(json ? SagaJSON.render(sagas.map { SagaJSON($0) }) : SagaPrinter.table(sagas))
        }
    }
}
