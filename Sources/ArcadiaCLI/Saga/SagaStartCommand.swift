import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Logging
import SagaEngine

/// `arcadia saga start`: enqueues a saga for workers.
struct SagaStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Enqueue a saga for the workers.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var start: StartArguments

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let logger = Logger(label: "arcadia.cli")
        let start = self.start
        let inputs = try start.validatedInputs(CLIEnvironment.registry())
        try await StoreFactory.withStore(try database.url(), logger: logger) { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: logger)
            let (saga, created) = try await engine.start(start.template, inputs: inputs, options: start.options)
            if start.json {
                print(SagaJSON.render(SagaJSON(saga)))
            } else {
                print(
                    "\(created ? "started" : "already exists:") saga \(SagaPrinter.short(saga.id)) (\(saga.template), \(saga.stepNames.count) steps, \(saga.status.rawValue))"
                )
            }
        }
    }
}
