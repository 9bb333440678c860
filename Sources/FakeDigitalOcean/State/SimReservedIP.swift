/// A reserved IP and the droplet it points at.
struct SimReservedIP: Sendable {
    var ip: String
    var regionSlug: String
    var dropletID: Int?
    var runningActionID: Int?
    var projectID: String
    var deleted = false
}
