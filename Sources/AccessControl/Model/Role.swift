/// What a token may do. `admin` everything; `operator` sagas and inventory; `viewer` reads only;
/// `tenant` its own tenant's deployments and invoices, nothing else.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case admin
    case `operator`
    case viewer
    case tenant

    /// Whether the role may perform `permission` (a tenant token also needs its own tenant).
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (.operator, .read), (.operator, .operateSagas), (.operator, .operateInventory): true
        case (.viewer, .read): true
        case (.tenant, .readOwnTenant): true
        default: false
        }
    }
}
