import ArgumentParser

/// `--interval-ms`, shared by `saga watch` and `saga start --wait`.
struct WatchOptions: ParsableArguments {
    @Option(name: .customLong("interval-ms"), help: "Milliseconds between looks at the saga while following it.")
    var intervalMilliseconds: Int = 500

    func validate() throws {
        guard (50...60_000).contains(intervalMilliseconds) else { throw ValidationError("--interval-ms must be between 50 and 60000") }
    }

    var interval: Duration { .milliseconds(intervalMilliseconds) }
}
