import Foundation

extension World {
    /// Everything, deleted objects included, for `GET /_fake/state`.
    func stateJSON() -> JSON {
        let now = self.now
        func deleted(_ date: Date?) -> (String, JSON) { ("deleted_at", .optional(date.map(SimFormat.date))) }
        func with(_ json: JSON, _ extra: [(String, JSON)]) -> JSON {
            guard case .object(let members) = json else { return json }
            return .object(members + extra)
        }
        return .object([
            ("now", .string(SimFormat.date(now))),
            ("droplets", .array(droplets.values.sorted { $0.id < $1.id }.map { with(dropletJSON($0, now: now), [deleted($0.deletedAt)]) })),
            ("actions", .array(actions.values.sorted { $0.id < $1.id }.map(actionJSON))),
            (
                "snapshots",
                .array(
                    snapshots.values.sorted { $0.id < $1.id }.map {
                        with(snapshotJSON($0), [deleted($0.deletedAt), ("visible_at", .string(SimFormat.date($0.visibleAt)))])
                    })
            ),
            (
                "domains",
                .array(domains.values.sorted { $0.name < $1.name }.map { with(domainJSON($0), [("records", .array($0.records.map(recordJSON)))]) })
            ),
            ("tags", .strings(tags.values.sorted())),
            ("volumes", .array(volumes.values.sorted { $0.id < $1.id }.map { with(volumeJSON($0), [deleted($0.deletedAt)]) })),
            (
                "reserved_ips",
                .array(reservedIPs.values.sorted { $0.ip < $1.ip }.map { with(reservedIPJSON($0, now: now), [("deleted", .bool($0.deleted))]) })
            ),
            (
                "firewalls",
                .array(firewalls.values.sorted { $0.id < $1.id }.map { with(firewallJSON($0, now: now), [("deleted", .bool($0.deleted))]) })
            ),
            ("backups", .array(backups.values.sorted { $0.id < $1.id }.map { with(backupJSON($0), [deleted($0.deletedAt)]) })),
            (
                "inventory",
                .object(
                    SimCollection.all.map { kind in
                        (
                            kind.plural,
                            .array(
                                objects(of: kind).values.sorted { $0.sequence < $1.sequence }.map {
                                    with(kind.render(self, $0, now), [deleted($0.deletedAt)])
                                })
                        )
                    })
            ),
            (
                "project_resources",
                .array(
                    projectResources.values.sorted { $0.urn < $1.urn }.map {
                        .object([
                            ("urn", .string($0.urn)), ("project_id", .string($0.projectID)), ("assigned_at", .string(SimFormat.date($0.assignedAt))),
                        ])
                    })
            ),
        ])
    }
}
