import ArcadiaServer
import ArgumentParser
import Logging

/// `arcadia saga start`: enqueues a saga for workers; with `--wait`, follows it to its end.
struct SagaStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Enqueue a saga for the workers; with --wait, show its steps until it ends (exit 0 only if it completed).")

    @OptionGroup var target: TargetOptions
    @OptionGroup var start: StartArguments
    @OptionGroup var watch: WatchOptions

    @Flag(help: "Wait for the saga to end, showing each step as it happens.")
    var wait = false

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let start = self.start
        let (wait, watch) = (self.wait, self.watch)
        // Bad flags and inputs are refused before anything is opened, so they write nothing.
        let inputs = try start.validatedInputs(CLIEnvironment.registry())
        let status = try await target.withSagaOperations(logger: Logger(label: "arcadia.cli")) { sagas in
            let request = SagaStartRequest(
                template: start.template, inputs: inputs, idempotencyKey: start.idempotencyKey, lockKeys: start.lockKeys)
            let (saga, created) = try await sagas.start(request)
            if !wait {
                print(
                    start.json
                        ? SagaJSON.render(saga)
                        : "\(created ? "started" : "already exists:") saga \(saga.id) (\(saga.template), \(saga.stepNames.count) steps, \(saga.status))"
                )
                return "started"
            }
            if !start.json { print("\(created ? "started" : "already exists:") saga \(saga.id) (\(saga.template), \(saga.stepNames.count) steps)") }
            return try await SagaWatcher(operations: sagas, interval: watch.interval, json: start.json).follow(saga.id)
        }
        if wait, status != "completed" { throw CLIExit.sagaNotCompleted }
    }
}
