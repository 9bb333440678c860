import Foundation

/// A resource assigned to a project, named by its URN (`do:droplet:4126873`).
public struct ProjectResource: Decodable, Sendable, Hashable, Identifiable {
    /// `do:{type}:{id}`: `do:droplet:4126873`, `do:domain:example.com`, `do:volume:{uuid}`, ….
    public var urn: String
    public var assignedAt: Date?
    /// `ok`, `not_found`, `assigned`, `already_assigned` or `service_down`.
    public var status: String?

    /// The URN is the resource's identity.
    public var id: String { urn }

    /// The kind part of the URN (`droplet`, `domain`, `volume`, `loadbalancer`, `kubernetes`, …).
    public var resourceType: String? {
        let parts = urn.split(separator: ":", maxSplits: 2)
        return parts.count == 3 ? String(parts[1]) : nil
    }

    /// The id part of the URN (`4126873`, `example.com`).
    public var resourceID: String? {
        let parts = urn.split(separator: ":", maxSplits: 2)
        return parts.count == 3 ? String(parts[2]) : nil
    }

    private enum CodingKeys: String, CodingKey { case urn, assignedAt, status }
}
