import ArgumentParser

/// `arcadia saga …`: start, run, inspect and operate sagas.
struct SagaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga", abstract: "Start, run, inspect and operate sagas.",
        subcommands: [
            SagaStartCommand.self, SagaRunCommand.self, SagaListCommand.self, SagaShowCommand.self,
            SagaWatchCommand.self, SagaCancelCommand.self, SagaKillCommand.self, SagaRetryCommand.self, SagaResumeCommand.self,
            SagaTemplatesCommand.self,
        ])
}
