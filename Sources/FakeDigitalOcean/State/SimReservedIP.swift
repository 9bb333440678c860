import Foundation

/// A reserved IP and the droplet it points at, with what billing needs: when it existed and
/// when it was assigned (DigitalOcean charges for the time a reserved IP is not assigned).
struct SimReservedIP: Sendable {
    var ip: String
    var regionSlug: String
    var dropletID: Int?
    var runningActionID: Int?
    var projectID: String
    var createdAt: Date
    var deleted = false
    var deletedAt: Date?
    /// When it pointed at a droplet, oldest first (the last one open while it still does).
    var assignments: [(from: Date, to: Date?)] = []

    /// Points it at `dropletID` from `at`, or at nothing (`nil`).
    mutating func assign(_ dropletID: Int?, at: Date) {
        if self.dropletID != nil, let last = assignments.indices.last, assignments[last].to == nil { assignments[last].to = at }
        self.dropletID = dropletID
        if dropletID != nil { assignments.append((at, nil)) }
    }
}
