import Foundation

/// Which sagas to list.
public struct SagaFilter: Sendable, Hashable {
    public var status: SagaStatus?
    public var template: String?
    public var kind: SagaKind?
    public var deploymentID: String?
    public var tenantID: String?
    public var limit: Int
    /// Continue after this saga (the last of the previous page): newest first, so older ones.
    public var after: UUID?

    public init(
        status: SagaStatus? = nil, template: String? = nil, kind: SagaKind? = nil, deploymentID: String? = nil,
        tenantID: String? = nil, limit: Int = 50, after: UUID? = nil
    ) {
        self.after = after
        self.status = status
        self.template = template
        self.kind = kind
        self.deploymentID = deploymentID
        self.tenantID = tenantID
        self.limit = limit
    }
}
