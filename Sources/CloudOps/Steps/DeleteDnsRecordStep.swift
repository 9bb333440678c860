import DigitalOcean
import Foundation
import SagaEngine

/// Deletes the DNS records of one (type, name); idempotent (nothing there succeeds). Each record
/// is stashed in the context **before** it is deleted; compensation recreates what it deleted
/// from the stash. The record's desired state, if any, is removed.
public struct DeleteDnsRecordStep: SagaStep {
    public let name = "delete_dns_record"
    let services: CloudServices

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { RetryPolicy(maximumAttempts: 8, initialBackoff: .seconds(2), maximumBackoff: .seconds(60)) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let target = try DNSRecordTarget(context)
            let records = try await target.records(client)
            let stashed = context.context["dns_deleted"]?.arrayValue ?? []
            let stashedIDs = Set(stashed.compactMap { $0.objectValue?["id"]?.intValue })
            if records.contains(where: { !stashedIDs.contains($0.id) }) {
                return .pollAgain(
                    after: .zero,
                    outputs: ["dns_deleted": .array(stashed + records.filter { !stashedIDs.contains($0.id) }.map(DNSRecordTarget.stash))],
                    waitingFor: "nothing: the records are stashed before they are deleted")
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
            let present = try await target.records(client)
            for stash in context.context["dns_deleted"]?.arrayValue ?? [] {
                guard let request = DNSRecordTarget.request(from: stash) else { continue }
                if present.contains(where: { DNSNames.sameData(type: target.type, $0.data, request.data) }) { continue }
                _ = try await client.createDomainRecord(domain: target.domain, request)
            }
        }
    }
}
