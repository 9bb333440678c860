import ArcadiaServer
import ArgumentParser
import Foundation
import Logging

/// A saga id argument, validated as a UUID.
struct SagaIDArgument: ParsableArguments {
    @Argument(help: "The saga id (a UUID).")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("'\(id)' is not a saga id (expected a UUID)") }
    }
}

/// `arcadia saga show`: one saga with its step ledger and timeline.
struct SagaShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a saga, its steps and its events.")

    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let saga = self.saga
        try await target.withSagaOperations(logger: Logger(label: "arcadia.cli")) { sagas in
            let detail = try await sagas.detail(saga.id)
            print(saga.json ? SagaJSON.render(detail) : SagaPrinter.detail(detail))
        }
    }
}
