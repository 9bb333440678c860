import DigitalOcean
import Foundation
import SagaEngine

/// Compares desired state (`cloud_provisioned`) with the inventory (`cloud_resources`): the
/// function behind `arcadia drift` and the API's drift route.
///
/// A droplet is judged on its size, region, image and tags (tags as a set, case-insensitively);
/// a DNS record in desired state (`domain/TYPE/name`) on whether a live record with that type and
/// name holds the desired data (trailing dots and case normalised) and, when one was asked for,
/// the TTL. A kind no successful sync has listed yet is not judged (`unverified`): the inventory
/// cannot tell missing from not yet seen.
public struct DriftDetector: Sendable {
    let store: any InventoryStore
    let now: Date
    let orphanMinimumAge: TimeInterval

    /// Creates a detector over a store. A managed resource without desired state counts as an
    /// orphan only once it is `orphanMinimumAge` old (default 30 minutes): before that it may be
    /// a droplet whose `provision-droplet` saga has not reached `register_droplet` yet (its
    /// active-wait alone may take 8 minutes); such resources count as `unverified`.
    public init(store: any InventoryStore, now: Date = Date(), orphanMinimumAge: TimeInterval = 1800) {
        self.store = store
        self.now = now
        self.orphanMinimumAge = orphanMinimumAge
    }

    /// The report for the whole account.
    public func report() async throws -> DriftReport {
        let desired = try await store.allProvisioned()
        let resources = try await store.resources(kind: nil, includeDeleted: true)
        let runs = try await store.syncRuns(limit: 100)
        var listedKinds = Set<String>()
        for run in runs where run.status == .succeeded || run.status == .partial { listedKinds.formUnion(run.kinds.keys) }
        var report = DriftReport(lastSyncAt: runs.first { $0.status == .succeeded || $0.status == .partial }?.startedAt)

        var rows: [String: CloudResource] = [:]
        var records: [String: [CloudResource]] = [:]
        for resource in resources {
            rows["\(resource.kind)|\(resource.providerID)"] = resource
            if resource.kind == ResourceKind.domainRecord, resource.deletedAt == nil {
                let key = ResourceKind.recordKey(
                    domain: resource.attributes["domain"]?.stringValue ?? "", type: resource.attributes["type"]?.stringValue ?? "",
                    name: resource.name)
                records[key, default: []].append(resource)
            }
        }
        var wanted = Set<String>()
        for spec in desired {
            wanted.insert("\(spec.kind)|\(spec.providerID)")
            if spec.kind == ResourceKind.domainRecord {
                guard listedKinds.contains(ResourceKind.domainRecord) else {
                    report.unverified += 1
                    continue
                }
                judgeRecord(spec, records[spec.providerID] ?? [], into: &report)
                continue
            }
            guard let row = rows["\(spec.kind)|\(spec.providerID)"] else {
                if listedKinds.contains(spec.kind) {
                    report.missing.append(item(spec, name: spec.spec["name"]?.stringValue, "not in the inventory: deleted out of band"))
                } else {
                    report.unverified += 1
                }
                continue
            }
            if let deletedAt = row.deletedAt {
                report.missing.append(item(spec, name: row.name, "deleted out of band (gone since \(deletedAt.formatted(.iso8601)))"))
                continue
            }
            let changes = spec.kind == ResourceKind.droplet ? Self.dropletChanges(spec.spec, row) : []
            if changes.isEmpty {
                report.inSync += 1
            } else {
                var changed = item(spec, name: row.name, "differs from its desired state: " + changes.map(\.field).joined(separator: ", "))
                changed.changes = changes
                report.changed.append(changed)
            }
        }
        for row in resources where row.managed && row.deletedAt == nil && !wanted.contains("\(row.kind)|\(row.providerID)") {
            guard orphanMinimumAge <= 0 || now.timeIntervalSince(row.presenceStart) >= orphanMinimumAge else {
                report.unverified += 1
                continue
            }
            report.orphaned.append(
                DriftItem(
                    kind: row.kind, providerID: row.providerID, name: row.name, deploymentID: row.deploymentID,
                    saga: row.creatingSagaID?.uuidString.lowercased() ?? row.attributes["saga_tag"]?.stringValue,
                    detail: "tagged \(CloudTags.managed) but Arcadia holds no desired state for it: a leak (a failed compensation?)"))
        }
        return report
    }

    private func item(_ spec: ProvisionedResource, name: String?, _ detail: String) -> DriftItem {
        DriftItem(
            kind: spec.kind, providerID: spec.providerID, name: name ?? spec.providerID, deploymentID: spec.deploymentID,
            saga: spec.sagaID.uuidString.lowercased(), detail: detail)
    }

    private func judgeRecord(_ spec: ProvisionedResource, _ live: [CloudResource], into report: inout DriftReport) {
        let type = spec.spec["type"]?.stringValue ?? ""
        let data = spec.spec["data"]?.stringValue ?? ""
        let ttl = spec.spec["ttl"]?.intValue
        let name = DNSNames.fullyQualifiedName(spec.spec["name"]?.stringValue ?? "@", domain: spec.spec["domain"]?.stringValue ?? "")
        guard !live.isEmpty else {
            report.missing.append(item(spec, name: name, "no \(type) record \(name) in the inventory: deleted out of band"))
            return
        }
        let sameData = live.filter { DNSNames.sameData(type: type, $0.attributes["data"]?.stringValue ?? "", data) }
        if let match = sameData.first {
            if let ttl, let actual = match.attributes["ttl"]?.intValue, actual != ttl {
                var changed = item(spec, name: name, "differs from its desired state: ttl")
                changed.changes = [DriftChange(field: "ttl", desired: String(ttl), actual: String(actual))]
                report.changed.append(changed)
            } else {
                report.inSync += 1
            }
            return
        }
        var changed = item(spec, name: name, "differs from its desired state: data")
        changed.changes = [
            DriftChange(field: "data", desired: data, actual: live.compactMap { $0.attributes["data"]?.stringValue }.sorted().joined(separator: ", "))
        ]
        report.changed.append(changed)
    }

    /// The fields of a droplet that differ from its spec.
    static func dropletChanges(_ spec: [String: JSONValue], _ row: CloudResource) -> [DriftChange] {
        var changes: [DriftChange] = []
        if let size = spec["size_slug"]?.stringValue, !size.isEmpty, size != row.sizeSlug {
            changes.append(DriftChange(field: "size", desired: size, actual: row.sizeSlug ?? ""))
        }
        if let region = spec["region"]?.stringValue, !region.isEmpty, region != row.region {
            changes.append(DriftChange(field: "region", desired: region, actual: row.region ?? ""))
        }
        // The image the droplet was built from, by id: DigitalOcean moves distribution slugs on to
        // newer images, so the slug asked for is not compared once the id is known.
        let actualID = row.attributes["image_id"]?.intValue
        if let desiredID = spec["image_id"]?.intValue {
            if let actualID, actualID != desiredID {
                changes.append(DriftChange(field: "image", desired: String(desiredID), actual: String(actualID)))
            }
        } else if let image = spec["image"]?.stringValue, !image.isEmpty {
            let slug = row.attributes["image_slug"]?.stringValue
            if image != slug && image != actualID.map(String.init) {
                changes.append(DriftChange(field: "image", desired: image, actual: slug ?? actualID.map(String.init) ?? ""))
            }
        }
        if let tags = spec["tags"]?.arrayValue?.compactMap(\.stringValue) {
            // The saga's own tags are part of what was asked for; compared as sets, case-insensitively.
            let desired = Set(tags.map { $0.lowercased() })
            let actual = Set(row.tags.map { $0.lowercased() })
            if desired != actual {
                changes.append(
                    DriftChange(field: "tags", desired: tags.sorted().joined(separator: ","), actual: row.tags.sorted().joined(separator: ",")))
            }
        }
        return changes
    }
}
