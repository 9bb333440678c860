import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Billing
import Logging

/// Runs a billing command on the database; a ``BillingError`` is printed to standard error and
/// becomes an exit code as a refused API request would (README, "Exit codes").
enum BillingStoreAccess {
    static func run<T: Sendable>(_ database: DatabaseOptions, _ body: @escaping @Sendable (any ArcadiaStore) async throws -> T) async throws -> T {
        CLIEnvironment.bootstrapLogging(.warning)
        do {
            return try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in try await body(store) }
        } catch let error as BillingError {
            throw CLIExit.report(BillingAPIError.from(error))
        }
    }
}
