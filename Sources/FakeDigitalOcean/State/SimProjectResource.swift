import Foundation

/// A resource assigned to a project, by URN (`do:droplet:123`). A resource belongs to one
/// project at a time: assigning it again moves it.
struct SimProjectResource: Sendable {
    var urn: String
    var projectID: String
    var assignedAt: Date
}
