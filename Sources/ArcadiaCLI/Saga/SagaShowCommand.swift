import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine

/// A saga id argument, validated as a UUID.
struct SagaIDArgument: ParsableArguments {
    @Argument(help: "The saga id (a UUID).")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("'\(id)' is not a saga id (expected a UUID)") }
    }

    var uuid: UUID { UUID(uuidString: id)! }
}

/// `arcadia saga show`: one saga with its step ledger and timeline.
struct SagaShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a saga, its steps and its events.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var saga: SagaIDArgument

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let logger = Logger(label: "arcadia.cli")
        let saga = self.saga
        try await StoreFactory.withStore(try database.url(), logger: logger) { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: logger)
            let detail = try await engine.detail(saga.uuid)
            print(saga.json ? SagaJSON.render(SagaJSON(detail)) : SagaPrinter.detail(detail))
        }
    }
}
