import Foundation

/// An action and what it does when it completes.
struct SimAction: Sendable {
    var id: Int
    var type: String
    var status = "in-progress"
    var startedAt: Date
    var completesAt: Date
    var completedAt: Date?
    var resourceID: Int?
    var resourceType: String
    var regionSlug: String?
    /// Ends `errored` instead of `completed`.
    var fails = false
    /// Action-specific parameters (size for resize, image for rebuild, name for snapshot, …).
    var parameters: [String: String] = [:]
}
