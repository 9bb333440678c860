import Foundation

/// An object of one of the generic collections (``SimCollection``): load balancers, database
/// clusters, Kubernetes clusters, VPCs, projects, SSH keys, certificates, CDN endpoints, apps and
/// the registry. It is kept as the JSON object DigitalOcean answers with, made at create time;
/// what changes with time (a status catching up) is filled in when it is rendered.
struct SimObject: Sendable {
    /// The id as it appears in paths (an integer id written in decimal).
    var id: String
    var json: JSON
    var createdAt: Date
    /// When it shows up in listings (later than the create for eventually consistent kinds).
    var visibleAt: Date
    var deletedAt: Date?
    /// Creation order, for stable listings.
    var sequence: Int
}
