import DigitalOcean
import Foundation
import SagaEngine

/// Deletes the DNS records of one (type, name); idempotent (nothing there succeeds). Each record
/// is stashed in the context **before** it is deleted; compensation recreates what it deleted
/// from the stash. The record's desired state, if any, is stashed too, removed, and put back by
/// the compensation.
public struct DeleteDnsRecordStep: SagaStep {
    public let name = "delete_dns_record"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let target = try DNSRecordTarget(context)
            let records = try await target.records(client)
            let stashed = context.context["dns_deleted"]?.arrayValue ?? []
            let stashedIDs = Set(stashed.compactMap { $0.objectValue?["id"]?.intValue })
            let desiredStashed = context.context["dns_desired_stash"] != nil
            if records.contains(where: { !stashedIDs.contains($0.id) }) || !desiredStashed {
                var outputs: [String: JSONValue] = [
                    "dns_deleted": .array(stashed + records.filter { !stashedIDs.contains($0.id) }.map(DNSRecordTarget.stash))
                ]
                if !desiredStashed {
                    let row = try await services.store.provisioned(kind: ResourceKind.domainRecord, providerID: target.key)
                    outputs["dns_desired_stash"] = row.map(Self.stash) ?? .null
                }
                return .pollAgain(after: .zero, outputs: outputs, waitingFor: "nothing: the records are stashed before they are deleted")
            }
            for record in records {
                do {
                    try await client.deleteDomainRecord(domain: target.domain, id: record.id)
                } catch let error as DigitalOceanError where error.isNotFound {
                    continue
                }
            }
            try await services.store.removeProvisioned(kind: ResourceKind.domainRecord, providerID: target.key)
            return .done(["dns_outcome": .string(stashed.isEmpty ? "absent" : "deleted"), "dns_record_fqdn": .string(target.fullyQualifiedName)])
        }
    }

    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            let target = try DNSRecordTarget(context)
            if let row = context.context["dns_desired_stash"].flatMap(Self.unstash) {
                try await services.store.putProvisioned(row)
            }
            let present = try await target.records(client)
            for stash in context.context["dns_deleted"]?.arrayValue ?? [] {
                guard let request = DNSRecordTarget.request(from: stash) else { continue }
                if present.contains(where: { DNSNames.sameData(type: target.type, $0.data, request.data) }) { continue }
                _ = try await client.createDomainRecord(domain: target.domain, request)
            }
        }
    }

    /// A desired-state row as a context value.
    static func stash(_ row: ProvisionedResource) -> JSONValue {
        var object: [String: JSONValue] = [
            "provider_id": .string(row.providerID), "spec": .object(row.spec), "saga_id": .string(row.sagaID.uuidString),
            "created_at": row.createdAt.contextValue, "updated_at": row.updatedAt.contextValue,
        ]
        if let deployment = row.deploymentID { object["deployment_id"] = .string(deployment) }
        return .object(object)
    }

    static func unstash(_ value: JSONValue) -> ProvisionedResource? {
        guard let object = value.objectValue, let providerID = object["provider_id"]?.stringValue, let spec = object["spec"]?.objectValue,
            let saga = object["saga_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
            let created = object["created_at"]?.doubleValue, let updated = object["updated_at"]?.doubleValue
        else { return nil }
        return ProvisionedResource(
            kind: ResourceKind.domainRecord, providerID: providerID, spec: spec, sagaID: saga, deploymentID: object["deployment_id"]?.stringValue,
            createdAt: Date(timeIntervalSince1970: created), updatedAt: Date(timeIntervalSince1970: updated))
    }
}
