import AccessControl
import Billing
import CloudOps
import SagaEngine

/// Everything one database holds for Arcadia: sagas, inventory and desired state, API tokens and
/// dashboard sessions, billing.
/// Both backends (``SQLiteSagaStore``, ``PostgresSagaStore``) are one.
package typealias ArcadiaStore = SagaStore & InventoryStore & AccessTokenStore & WebSessionStore & BillingStore
