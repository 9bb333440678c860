import ArgumentParser
struct EngineBenchCommand: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "engine"); func run() async throws {} }
