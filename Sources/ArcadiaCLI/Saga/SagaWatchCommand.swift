import ArcadiaServer
import ArgumentParser
import Logging

/// `arcadia saga watch`: follows a saga, printing each event as it happens, until it ends.
struct SagaWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a saga, printing its steps and events as they happen, until it ends (exit 0 only if it completed).")

    @OptionGroup var target: TargetOptions
    @OptionGroup var saga: SagaIDArgument
    @OptionGroup var watch: WatchOptions

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let (saga, watch) = (self.saga, self.watch)
        let status = try await target.withSagaOperations(logger: Logger(label: "arcadia.cli")) { sagas in
            try await SagaWatcher(operations: sagas, interval: watch.interval, json: saga.json).follow(saga.id)
        }
        if status != "completed" { throw CLIExit.sagaNotCompleted }
    }
}
