import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import AsyncHTTPClient
import CloudOps
import Foundation
import Logging
import NIOCore
import SagaEngine

/// Where a saga command acts: on the database directly (`--database`, the default) or through a
/// running server's JSON API (`--server URL` or `ARCADIA_SERVER`, with the token in
/// `ARCADIA_TOKEN`). Both go through one facade, ``SagaOperations``, so the output is the same.
struct TargetOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(
        help: ArgumentHelp(
            "Act through the JSON API of the server at this URL (env ARCADIA_SERVER; the token comes from ARCADIA_TOKEN).",
            valueName: "url"))
    var server: String?

    func validate() throws {
        if server != nil, database.database != nil { throw ValidationError("give --server or --database, not both") }
        if let url = try remoteURL(), url.scheme != "http" && url.scheme != "https" {
            throw ValidationError("the server URL must start with http:// or https://")
        }
    }

    /// The server to call, if any: `--server`, else `ARCADIA_SERVER` unless `--database` is given.
    func remoteURL() throws -> URL? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = server ?? (database.database == nil ? environment["ARCADIA_SERVER"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        else { return nil }
        guard let url = URL(string: text), url.host != nil else { throw ValidationError("'\(text)' is not a server URL (http://host:port)") }
        return url
    }

    /// Whether the command goes through a server.
    var isRemote: Bool { (try? remoteURL()) != nil }

    /// Runs `body` with the saga facade for this target; an ``APIError`` from either side is
    /// printed to standard error and becomes the exit code of ``CLIExit``.
    func withSagaOperations<T: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (any SagaOperations) async throws -> T
    ) async throws -> T {
        try await withTarget(logger: logger) { api in
            try await body(RemoteSagaOperations(api: api))
        } local: { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: logger)
            return try await body(EngineSagaOperations(engine: engine, triggeredBy: "cli", caller: nil))
        }
    }

    /// Runs `body` with the inventory facade for this target. On the database, `makeSync` makes
    /// the sync `sync()` runs (nil: none configured, 503 as from a server without a token).
    func withInventoryOperations<T: Sendable>(
        logger: Logger, orphanMinimumAge: TimeInterval = 1800,
        makeSync: @escaping @Sendable (any ArcadiaStore) throws -> InventorySync? = { _ in nil },
        _ body: @escaping @Sendable (any InventoryOperations) async throws -> T
    ) async throws -> T {
        try await withTarget(logger: logger) { api in
            try await body(RemoteInventoryOperations(api: api))
        } local: { store in
            try await body(
                StoreInventoryOperations(store: store, inventorySync: try makeSync(store), trigger: "cli", orphanMinimumAge: orphanMinimumAge))
        }
    }

    private func withTarget<T: Sendable>(
        logger: Logger, remote: @escaping @Sendable (RemoteAPI) async throws -> T,
        local: @escaping @Sendable (any ArcadiaStore) async throws -> T
    ) async throws -> T {
        do {
            if let url = try remoteURL() {
                guard let token = ProcessInfo.processInfo.environment["ARCADIA_TOKEN"], !token.isEmpty else {
                    throw ValidationError("set ARCADIA_TOKEN to an API token for \(url.absoluteString) (`arcadia token create`)")
                }
                // A server that is down fails in seconds (refused connections are retried until
                // the connect timeout), not after the long timeout an inventory sync may need.
                let http = HTTPClient(
                    eventLoopGroupProvider: .singleton,
                    configuration: .init(timeout: .init(connect: .seconds(3), read: .seconds(300))))
                do {
                    let result = try await remote(RemoteAPI(server: url, token: token, httpClient: http, timeout: .seconds(300)))
                    try? await http.shutdown()
                    return result
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
            return try await StoreFactory.withStore(try database.url(), logger: logger) { store in try await local(store) }
        } catch let error as APIError {
            throw CLIExit.report(error)
        } catch let error where error is ValidationError || error is ExitCode || error is CancellationError {
            throw error
        } catch {
            throw CLIExit.report(unexpected: error)
        }
    }
}
