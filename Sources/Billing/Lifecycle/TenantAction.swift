/// What billing does to a tenant's infrastructure, each through a saga per deployment.
public enum TenantAction: String, Sendable, Hashable, CaseIterable {
    /// Power off every droplet (`suspend-deployment`); the tenant becomes `suspended`.
    case suspend
    /// Power them on again (`resume-deployment`); the tenant becomes `active`.
    case resume
    /// Destroy the droplets, keeping no snapshot, and remove the DNS records
    /// (`offboard-deployment` with `keep_snapshots` false); the tenant becomes `offboarded` and its
    /// deployments end (their base fee stops).
    case offboard

    /// The saga template run for each deployment.
    public var template: String {
        switch self {
        case .suspend: "suspend-deployment"
        case .resume: "resume-deployment"
        case .offboard: "offboard-deployment"
        }
    }

    /// The status a deployment has once this action's saga completed.
    public var outcome: Deployment.Status {
        switch self {
        case .suspend: .suspended
        case .resume: .active
        case .offboard: .offboarded
        }
    }

    /// The action whose template this is.
    public init?(template: String) {
        guard let action = Self.allCases.first(where: { $0.template == template }) else { return nil }
        self = action
    }
}
