import DigitalOcean
import Foundation
import SagaEngine

/// Ensures one DNS record by (type, name): absent → created; present with the same data (trailing
/// dots and case normalised) → no-op; present with other data → updated, its prior data and TTL
/// stashed in the context **before** the update is sent. Reads every page of records. Outcome
/// `created`, `noop` or `updated` in `dns_outcome`. With a `deployment_id` the record becomes part
/// of that deployment's desired state.
///
/// Compensation deletes what it created or restores what it updated.
public struct UpsertDnsRecordStep: SagaStep {
    public let name = "upsert_dns_record"
    let services: CloudServices
    private let intent = CreateIntent(key: "dns_create")

    public init(services: CloudServices) { self.services = services }

    public var retryPolicy: RetryPolicy { .cloud }
    public var timeout: Duration? { .seconds(120) }

    public func execute(_ context: StepContext) async throws -> StepOutcome {
        try await CloudCall.execute(context) {
            let client = try services.provisioningClient()
            let target = try DNSRecordTarget(context)
            let data = try context.requiredInput("dns_record_data")
            let ttl = context.intInput("dns_record_ttl")
            let existing = try await target.records(client).first
            let priority = context.intInput("dns_record_priority")
            let port = context.intInput("dns_record_port")
            let weight = context.intInput("dns_record_weight")
            let matches =
                existing.map {
                    DNSNames.sameData(type: target.type, $0.data, data) && (ttl == nil || $0.ttl == ttl)
                        && (priority == nil || $0.priority == priority) && (port == nil || $0.port == port) && (weight == nil || $0.weight == weight)
                } ?? false
            let body = DomainRecordRequest(
                type: target.type, name: target.name, data: DNSNames.dataForWrite(type: target.type, data: data), priority: priority, port: port,
                ttl: ttl ?? existing?.ttl ?? 1800, weight: weight)

            switch context.contextString("dns_plan") ?? "" {
            case "update":
                guard let record = existing else {
                    throw CloudStepError(.notFound, "record \(target.type) \(target.fullyQualifiedName) vanished while it was being updated")
                }
                if !matches { _ = try await client.updateDomainRecord(domain: target.domain, id: record.id, body) }
                return try await finish(context, target: target, outcome: "updated", recordID: record.id, data: data, ttl: body.ttl)
            case "create":
                switch intent.state(context) {
                case .planned:
                    if existing != nil {
                        // Someone else wrote it between the plan and now: plan again.
                        return .pollAgain(after: .zero, outputs: ["dns_plan": ""], waitingFor: "nothing: the record changed; planning again")
                    }
                    let created = try await client.createDomainRecord(domain: target.domain, body)
                    guard let createdID = created.id else {
                        throw CloudStepError(.notFound, "DigitalOcean created record \(target.type) \(target.fullyQualifiedName) without an id")
                    }
                    return try await finish(context, target: target, outcome: "created", recordID: createdID, data: data, ttl: body.ttl)
                case .unknown(let since):
                    if let record = existing, matches {
                        return try await finish(context, target: target, outcome: "created", recordID: record.id, data: data, ttl: body.ttl)
                    }
                    if existing == nil, CreateIntent.windowOpen(since: since, context: context, window: services.configuration.adoptWindow) {
                        return .pollAgain(
                            after: services.configuration.adoptLookupInterval,
                            waitingFor: "record \(target.type) \(target.fullyQualifiedName) to show (an earlier create's outcome is unknown)")
                    }
                    return .pollAgain(after: .zero, outputs: ["dns_plan": ""], waitingFor: "nothing: planning again")
                case .none:
                    return intent.record(context, what: "create record \(target.type) \(target.fullyQualifiedName)")
                }
            default:
                guard let record = existing else {
                    return intent.record(
                        context, what: "create record \(target.type) \(target.fullyQualifiedName)", outputs: ["dns_plan": "create"])
                }
                if matches { return try await finish(context, target: target, outcome: "noop", recordID: record.id, data: data, ttl: record.ttl) }
                // Stash the prior state durably before changing it.
                return .pollAgain(
                    after: .zero,
                    outputs: [
                        "dns_plan": "update", "dns_prior": DNSRecordTarget.stash(record), "dns_prior_data": .string(record.data),
                        "dns_prior_ttl": .int(record.ttl),
                    ],
                    waitingFor: "nothing: the record's prior data is stashed before the update is sent")
            }
        }
    }

    private func finish(_ context: StepContext, target: DNSRecordTarget, outcome: String, recordID: Int, data: String, ttl: Int?) async throws
        -> StepOutcome
    {
        var outputs: [String: JSONValue] = [
            "dns_outcome": .string(outcome), "dns_record_id": .int(recordID), "dns_record_fqdn": .string(target.fullyQualifiedName),
        ]
        if let deployment = context.input("deployment_id"), !deployment.isEmpty {
            let prior = try await services.store.provisioned(kind: ResourceKind.domainRecord, providerID: target.key)
            var spec: [String: JSONValue] = [
                "domain": .string(target.domain), "type": .string(target.type), "name": .string(target.name), "data": .string(data),
            ]
            if let ttl { spec["ttl"] = .int(ttl) }
            try await services.store.putProvisioned(
                ProvisionedResource(
                    kind: ResourceKind.domainRecord, providerID: target.key, spec: spec, sagaID: context.sagaID, deploymentID: deployment,
                    createdAt: prior?.createdAt ?? context.now, updatedAt: context.now))
            outputs["dns_desired_state_written"] = .bool(prior == nil || prior?.sagaID == context.sagaID)
        }
        return .done(outputs)
    }

    public func compensate(_ context: StepContext) async throws {
        try await CloudCall.compensate(context) {
            let client = try services.provisioningClient()
            let target = try DNSRecordTarget(context)
            if context.context["dns_desired_state_written"]?.boolValue == true,
                let row = try await services.store.provisioned(kind: ResourceKind.domainRecord, providerID: target.key), row.sagaID == context.sagaID
            {
                try await services.store.removeProvisioned(kind: ResourceKind.domainRecord, providerID: target.key)
            }
            let data = context.input("dns_record_data") ?? ""
            switch context.contextString("dns_plan") ?? "" {
            case "create":
                // Delete what this saga created: the record it recorded, or one with its data when
                // a create's outcome was never learned.
                let records = try await target.records(client)
                var ids = Set(records.filter { DNSNames.sameData(type: target.type, $0.data, data) }.map(\.id))
                if context.contextString("dns_outcome") == "created", let id = context.contextInt("dns_record_id") { ids.insert(id) }
                if context.contextString("dns_outcome") == "noop" { ids.removeAll() }
                for id in ids.sorted() { try await deleteRecord(client, domain: target.domain, id: id) }
            case "update":
                guard let stash = context.context["dns_prior"], let request = DNSRecordTarget.request(from: stash) else { return }
                if let record = try await target.records(client).first {
                    if !DNSNames.sameData(type: target.type, record.data, request.data) || record.ttl != request.ttl {
                        _ = try await client.updateDomainRecord(domain: target.domain, id: record.id, request)
                    }
                } else {
                    _ = try await client.createDomainRecord(domain: target.domain, request)
                }
            default:
                return
            }
        }
    }

    private func deleteRecord(_ client: DigitalOceanClient, domain: String, id: Int) async throws {
        do {
            try await client.deleteDomainRecord(domain: domain, id: id)
        } catch let error as DigitalOceanError where error.isNotFound {
            return
        }
    }
}
