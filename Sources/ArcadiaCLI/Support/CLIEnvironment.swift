import ArcadiaStorage
import CloudOps
import Foundation
import Logging
import SagaEngine
import Synchronization

/// Process-wide set-up shared by the commands.
enum CLIEnvironment {
    private static let bootstrapped = Mutex(false)

    /// Reads the optional `.env` (see ``DotEnv``) and sends logs to standard error at `level`
    /// (once per process). `ARCADIA_LOG_LEVEL` overrides.
    static func bootstrapLogging(_ level: Logger.Level) {
        bootstrapped.withLock { done in
            guard !done else { return }
            done = true
            DotEnv.load()
            let chosen = ProcessInfo.processInfo.environment["ARCADIA_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = chosen
                return handler
            }
        }
    }

    /// The steps and templates this build of Arcadia knows: the engine's test templates and the
    /// cloud templates. With a store, the cloud steps get it and DigitalOcean clients for the
    /// tokens configured (`digitalOcean`: flags over the environment); without one (validating a
    /// start request before anything is opened), they can validate but not run.
    static func registry(store: (any InventoryStore)? = nil, digitalOcean: DigitalOceanOptions? = nil) -> SagaRegistry {
        var registry = SagaRegistry.builtIn
        let configuration = digitalOcean?.configuration ?? CloudConfiguration()
        let environment = digitalOcean?.environment ?? DigitalOceanEnvironment.fromEnvironment()
        let clients = store == nil ? (nil, nil) : environment.clients(maxRateLimitWait: configuration.maxRateLimitWaitInMemory)
        registry.registerCloudTemplates(
            CloudServices(provisioning: clients.0, inventory: clients.1, store: store, configuration: configuration))
        return registry
    }
}
