/// What a saga is for; stored in `saga_runs.kind`.
public enum SagaKind: String, Sendable, Codable, CaseIterable {
    case provision
    case suspend
    case offboard
    case update
    case rollback
    case test
}
