import AccessControl
import ArcadiaStorage
import CloudOps
import Hummingbird
import Logging
import OpenAPIHummingbird
package import OpenAPIRuntime
import Prometheus
import SagaEngine

/// The composition root of the HTTP side: the router with the middleware and the handlers
/// generated from `openapi.yaml`, and the dashboard, over an engine and a store. `arcadia serve` and the tests build
/// the server with this one function.
package func buildApplication(
    configuration: ServerConfiguration, engine: SagaEngine, store: any ArcadiaStore, inventorySync: InventorySync? = nil,
    metrics: PrometheusCollectorRegistry? = nil, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let router = try buildRouter(
        configuration: configuration, engine: engine, store: store, inventorySync: inventorySync, metrics: metrics, logger: logger)
    return Application(
        router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "arcadia"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) }, logger: logger)
}

/// The router of ``buildApplication(configuration:engine:store:inventorySync:metrics:logger:onServerRunning:)``:
/// middleware, the dashboard and the generated API handlers (its `routes` are what the server serves).
package func buildRouter(
    configuration: ServerConfiguration, engine: SagaEngine, store: any ArcadiaStore, inventorySync: InventorySync? = nil,
    metrics: PrometheusCollectorRegistry? = nil, logger: Logger
) throws -> Router<ArcadiaRequestContext> {
    let router = Router(context: ArcadiaRequestContext.self)
    let throttle = AuthThrottle(limit: configuration.maxFailedAuthenticationsPerMinute, window: 60)
    router.middlewares.add(
        APIMiddleware(
            issuer: TokenIssuer(store: store, cacheFor: configuration.tokenCacheSeconds), throttle: throttle,
            maxBodyBytes: configuration.maxBodyBytes, logger: logger))
    Dashboard(
        engine: engine, store: store, inventorySync: inventorySync, issuer: TokenIssuer(store: store),
        sessions: Dashboard.sessionStorage(store: store, secure: configuration.secureCookies), sessionLifetime: configuration.sessionLifetime,
        throttle: throttle, library: try DashboardTemplates.library(), secureCookies: configuration.secureCookies, logger: logger
    ).register(on: router)
    try APIHandler(engine: engine, store: store, inventorySync: inventorySync, metrics: metrics).registerHandlers(
        on: router, configuration: .init(dateTranscoder: LenientDateTranscoder(), jsonEncodingOptions: [.sortedKeys]))
    return router
}
