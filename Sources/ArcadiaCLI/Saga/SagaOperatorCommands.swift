import ArcadiaServer
import ArgumentParser
import Logging
import SagaEngine

/// Runs an operator action on one saga and prints the result.
private func operate(_ target: TargetOptions, _ saga: SagaIDArgument, _ action: SagaAction, verb: String) async throws {
    CLIEnvironment.bootstrapLogging(.warning)
    try await target.withSagaOperations(logger: Logger(label: "arcadia.cli")) { sagas in
        let record = try await sagas.perform(action, on: saga.id)
        if saga.json {
            print(SagaJSON.render(record))
        } else {
            let terminal = SagaStatus(rawValue: record.status)?.isTerminal == true
            print("\(verb) saga \(record.id): now \(record.status)\(record.cancelRequested && !terminal ? " (cancel requested)" : "")")
        }
    }
}

/// `arcadia saga cancel`: stop and compensate.
struct SagaCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a saga: interrupt it and compensate what it did.")
    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(target, saga, .cancel, verb: "cancelled") }
}

/// `arcadia saga kill`: stop without compensation.
struct SagaKillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Kill a saga: stop it where it is, without compensation.")
    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(target, saga, .kill, verb: "killed") }
}

/// `arcadia saga retry`: retry a failed compensation.
struct SagaRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Retry the compensation of a failed saga.")
    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(target, saga, .retry, verb: "retrying") }
}

/// `arcadia saga resume`: re-run a held saga's failed step.
struct SagaResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a saga held after a failed step (templates that hold), from that step.")
    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument
    func run() async throws { try await operate(target, saga, .resume, verb: "resumed") }
}
