import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine

/// `arcadia saga run`: starts a saga and executes it in this process until it is terminal.
struct SagaRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a saga and execute it here until it ends, showing each step; exits 0 only when it completed.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var start: StartArguments
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var digitalOcean: DigitalOceanOptions

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let logger = Logger(label: "arcadia.cli")
        let start = self.start
        let inputs = try start.validatedInputs(CLIEnvironment.registry())
        let configuration = engineOptions.configuration
        let digitalOcean = self.digitalOcean
        let status = try await StoreFactory.withStore(try database.url(), logger: logger) { store in
            let engine = SagaEngine(
                store: store, registry: CLIEnvironment.registry(store: store, digitalOcean: digitalOcean), configuration: configuration,
                logger: logger)
            let events = engine.events()
            let (saga, _) = try await engine.start(start.template, inputs: inputs, options: start.options)
            let id = saga.id
            if !start.json {
                print("saga \(SagaPrinter.short(id)) started (\(saga.template), \(saga.stepNames.count) steps)")
            }
            let progress = Task {
                guard !start.json else { return }
                for await event in events where event.sagaID == id {
                    if let line = Self.describe(event, stepNames: saga.stepNames) { print(line) }
                    if case .sagaFinished = event { return }
                }
            }
            let worker = engine.makeWorker(configuration: .init(concurrency: 1, onlySaga: id))
            try await worker.run()
            let detail = try await engine.detail(id)
            // Every event of the saga is printed before the summary (the stream ends at its finish;
            // a saga another process finished sends none here, hence the bound).
            if detail.saga.status.isTerminal { _ = try? await withTimeout(.seconds(2)) { await progress.value } }
            progress.cancel()
            if start.json {
                print(SagaJSON.render(SagaJSON(detail)))
            } else {
                let elapsed = (detail.saga.finishedAt ?? Date()).timeIntervalSince(detail.saga.createdAt)
                print("saga \(SagaPrinter.short(id)) \(detail.saga.status.rawValue) in \(Int(elapsed * 1000)) ms")
                if let error = detail.saga.error { print("error: \(error)") }
            }
            return detail.saga.status
        }
        if status != .completed { throw ExitCode(1) }
    }

    static func describe(_ event: EngineEvent, stepNames: [String]) -> String? {
        switch event {
        case .stepStarted(_, let step, let name, let attempt):
            return "  [\(step)] \(name): running" + (attempt > 1 ? " (attempt \(attempt))" : "")
        case .stepFinished(_, let step, let name, let status, let error):
            return "  [\(step)] \(name): \(status.rawValue)" + (error.map { " (\($0))" } ?? "")
        case .parked(_, let step, let until, let reason, let detail):
            let seconds = max(0, until.timeIntervalSinceNow)
            let name = stepNames.indices.contains(step) ? stepNames[step] : "?"
            if reason == .poll, let detail { return "  [\(step)] \(name): \(detail)" }
            return "  [\(step)] \(name): " + (reason == .retry ? "retrying" : "waiting") + String(format: " in %.1f s", seconds)
        case .compensationStarted(_, let step, let reason):
            return "  compensating from step \(step): \(reason)"
        case .claimed, .sagaFinished:
            return nil
        }
    }
}
