import ArcadiaStorage
import ArgumentParser
import Foundation
import SagaEngine

typealias SagaEngineConfiguration = SagaEngine.Configuration

/// `--database`, shared by every command that touches the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "sqlite:PATH or postgres://user:pass@host:port/db (env ARCADIA_DATABASE_URL; default \(DatabaseURL.defaultURL))",
            valueName: "url"))
    var database: String?

    /// The parsed URL: the flag, else `ARCADIA_DATABASE_URL`, else the SQLite default.
    func url() throws -> DatabaseURL {
        let text = database ?? ProcessInfo.processInfo.environment["ARCADIA_DATABASE_URL"] ?? DatabaseURL.defaultURL
        do {
            return try DatabaseURL.parse(text)
        } catch let error as StorageError {
            throw ValidationError(error.message)
        }
    }
}

/// Lease and polling settings, shared by `worker`, `saga run` and `bench`.
struct EngineOptions: ParsableArguments {
    @Option(help: "Seconds a claim lasts without renewal; a dead worker's saga is re-claimed after this.")
    var leaseSeconds: Double = 30

    @Option(help: "Seconds between lease renewals of a running step (default: a third of the lease).")
    var heartbeatSeconds: Double?

    @Option(help: "Seconds between looks for work when nothing wakes the worker.")
    var pollSeconds: Double = 1

    func validate() throws {
        guard leaseSeconds > 0, leaseSeconds <= 86_400 else { throw ValidationError("--lease-seconds must be between 0 and 86400") }
        if let heartbeat = heartbeatSeconds, heartbeat <= 0 || heartbeat >= leaseSeconds {
            throw ValidationError("--heartbeat-seconds must be positive and shorter than --lease-seconds")
        }
        guard pollSeconds > 0, pollSeconds <= 3600 else { throw ValidationError("--poll-seconds must be between 0 and 3600") }
    }

    var configuration: SagaEngineConfiguration {
        .init(
            leaseDuration: .milliseconds(Int64(leaseSeconds * 1000)),
            heartbeatInterval: heartbeatSeconds.map { .milliseconds(Int64($0 * 1000)) },
            pollInterval: .milliseconds(Int64(pollSeconds * 1000)))
    }
}
