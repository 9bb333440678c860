import ArcadiaStorage
import CloudOps
import SagaEngine

/// What a running control plane (`serve`, `demo`) hands to code that runs beside it.
struct ControlPlaneParts: Sendable {
    let engine: SagaEngine
    let store: any ArcadiaStore
    let inventorySync: InventorySync?
    let digitalOcean: DigitalOceanOptions
    /// The in-process simulator's URL (`--fake-do`, the demo).
    let simulatorURL: String?
    let port: Int
    /// The admin token created on this start, if one was.
    let adminToken: String?
}
