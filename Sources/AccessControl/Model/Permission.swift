/// Kinds of access the server checks a token's role against.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    /// Read anything (sagas, inventory, drift, tenants, invoices).
    case read
    /// Start, cancel, kill, retry and resume sagas.
    case operateSagas
    /// Trigger inventory syncs.
    case operateInventory
    /// Tenants, rate cards, invoices, tokens.
    case administer
    /// Read one's own tenant's deployments and invoices (tenant tokens).
    case readOwnTenant
}
