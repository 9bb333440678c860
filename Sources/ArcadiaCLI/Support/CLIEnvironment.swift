import ArcadiaStorage
import Foundation
import Logging
import SagaEngine
import Synchronization

/// Process-wide set-up shared by the commands.
enum CLIEnvironment {
    private static let bootstrapped = Mutex(false)

    /// Sends logs to standard error at `level` (once per process). `ARCADIA_LOG_LEVEL` overrides.
    static func bootstrapLogging(_ level: Logger.Level) {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            let chosen = ProcessInfo.processInfo.environment["ARCADIA_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = chosen
                return handler
            }
        }
    }

    /// The steps and templates this build of Arcadia knows.
    static var registry: SagaRegistry { .builtIn }
}
