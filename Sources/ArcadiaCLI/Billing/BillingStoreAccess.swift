import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Billing
import Logging
import SagaEngine

/// Runs a billing command on the database; a ``BillingError`` is printed to standard error and
/// becomes an exit code as a refused API request would (README, "Exit codes").
enum BillingStoreAccess {
    /// Invoicing on the database, with tenants' statuses brought up to date from their lifecycle
    /// sagas before they are billed.
    static func invoicing(_ store: any ArcadiaStore) -> InvoiceService {
        let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), logger: Logger(label: "arcadia.cli"))
        let lifecycle = TenantLifecycle(billing: store, engine: engine)
        return InvoiceService(billing: store, inventory: store, refresh: { _ = try await lifecycle.refresh(tenantID: $0) })
    }

    static func run<T: Sendable>(_ database: DatabaseOptions, _ body: @escaping @Sendable (any ArcadiaStore) async throws -> T) async throws -> T {
        CLIEnvironment.bootstrapLogging(.warning)
        do {
            return try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in try await body(store) }
        } catch let error as BillingError {
            throw CLIExit.report(BillingAPIError.from(error))
        }
    }
}
