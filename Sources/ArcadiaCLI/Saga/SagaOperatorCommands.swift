import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Logging
import SagaEngine

/// Runs an operator action on one saga and prints the result.
private func operate(
    _ database: DatabaseOptions, _ saga: SagaIDArgument, verb: String,
    _ action: @escaping @Sendable (SagaEngine, SagaIDArgument) async throws -> SagaRecord
) async throws {
    CLIEnvironment.bootstrapLogging(.warning)
    let logger = Logger(label: "arcadia.cli")
    try await StoreFactory.withStore(try database.url(), logger: logger) { store in
        let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: logger)
        let record = try await action(engine, saga)
        if saga.json {
            print(SagaJSON.render(SagaJSON(record)))
        } else {
            print(
                "\(verb) saga \(SagaPrinter.short(record.id)): now \(record.status.rawValue)\(record.cancelRequested && !record.status.isTerminal ? " (cancel requested)" : "")"
            )
        }
    }
}

/// `arcadia saga cancel`: stop and compensate.
struct SagaCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a saga: interrupt it and compensate what it did.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(database, saga, verb: "cancelled") { try await $0.cancel($1.uuid) } }
}

/// `arcadia saga kill`: stop without compensation.
struct SagaKillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Kill a saga: stop it where it is, without compensation.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(database, saga, verb: "killed") { try await $0.kill($1.uuid) } }
}

/// `arcadia saga retry`: retry a failed compensation.
struct SagaRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Retry the compensation of a failed saga.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(database, saga, verb: "retrying") { try await $0.retry($1.uuid) } }
}

/// `arcadia saga resume`: re-run a held saga's failed step.
struct SagaResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a saga held after a failed step (templates that hold), from that step.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(database, saga, verb: "resumed") { try await $0.resume($1.uuid) } }
}
