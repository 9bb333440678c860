import Foundation

/// Where the inventory (`cloud_resources`) and desired state (`cloud_provisioned`) live; one
/// implementation per database backend in `ArcadiaStorage`.
///
/// Every write is idempotent: steps call these again after a crash.
public protocol CloudStore: Sendable {
    /// Inserts the resource, or updates the row with its provider, kind and provider id (keeping
    /// `firstSeenAt` and clearing `deletedAt`).
    func upsertResource(_ resource: CloudResource) async throws
    /// The resource row, deleted or not.
    func resource(kind: String, providerID: String) async throws -> CloudResource?
    /// Marks the row deleted at `at` (no-op when absent or already deleted).
    func markResourceDeleted(kind: String, providerID: String, at: Date) async throws

    /// Writes the desired state: inserts it with version 1, or replaces the spec and increases the
    /// version when the spec differs.
    func putProvisioned(_ resource: ProvisionedResource) async throws
    /// The desired state of one resource.
    func provisioned(kind: String, providerID: String) async throws -> ProvisionedResource?
    /// Every resource a deployment's desired state holds, by kind and provider id.
    func provisioned(deploymentID: String) async throws -> [ProvisionedResource]
    /// Removes the desired state (the resource was destroyed on purpose, or its creation undone).
    func removeProvisioned(kind: String, providerID: String) async throws
}
