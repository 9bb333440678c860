public import Foundation

/// A customer of the hosted product, billed monthly for its deployments.
public struct Tenant: Sendable, Hashable, Codable {
    /// Where a tenant stands; suspending, resuming and offboarding run sagas on each of its
    /// deployments and the status follows their outcome.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case active, suspended, offboarded
    }

    /// A short stable id (`acme`), also the scope of its tenant tokens.
    public var id: String
    public var name: String
    public var billingEmail: String
    public var status: Status
    /// ISO 4217 code of its invoices (`USD`).
    public var currency: String
    public var createdAt: Date

    /// Creates a tenant.
    public init(id: String, name: String, billingEmail: String, status: Status = .active, currency: String = "USD", createdAt: Date) {
        self.id = id
        self.name = name
        self.billingEmail = billingEmail
        self.status = status
        self.currency = currency
        self.createdAt = createdAt
    }
}
