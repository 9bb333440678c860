import DigitalOcean
import Foundation

/// Everything the cloud steps need, built once by the application and handed to the steps when
/// they are registered (no globals).
///
/// A client may be missing (no token configured): templates still validate and sagas still
/// start; a step that needs the client fails with an error naming the variable to set.
public struct CloudServices: Sendable {
    /// Writes (`ARCADIA_DO_TOKEN_PROVISIONING`).
    public var provisioning: DigitalOceanClient?
    /// Reads for inventory (`ARCADIA_DO_TOKEN_INVENTORY`).
    public var inventory: DigitalOceanClient?
    /// Inventory and desired state; nil in a registry built only to validate start requests.
    public var cloudStore: (any InventoryStore)?
    public var configuration: CloudConfiguration

    /// Creates the services.
    public init(
        provisioning: DigitalOceanClient?, inventory: DigitalOceanClient? = nil, store: (any InventoryStore)?,
        configuration: CloudConfiguration = CloudConfiguration()
    ) {
        self.provisioning = provisioning
        self.inventory = inventory
        self.cloudStore = store
        self.configuration = configuration
    }

    /// The inventory and desired state store (always there in a worker).
    public var store: any InventoryStore {
        get throws {
            guard let cloudStore else { throw CloudStepError(.missingCredential, "this process has no database for the inventory") }
            return cloudStore
        }
    }

    /// The provisioning client, or a permanent step failure naming the variable to set.
    public func provisioningClient() throws -> DigitalOceanClient {
        guard let provisioning else {
            throw CloudStepError(
                .missingCredential,
                "no DigitalOcean provisioning token: set \(DigitalOceanEnvironment.provisioningTokenVariable) (or --do-token-provisioning) "
                    + "for the worker that runs this saga")
        }
        return provisioning
    }
}
