import Foundation

/// A block storage volume.
struct SimVolume: Sendable {
    var id: String
    var name: String
    var regionSlug: String
    var sizeGigabytes: Int
    var description: String
    var filesystemType: String
    var createdAt: Date
    var tags: [String]
    var dropletIDs: [Int] = []
    var deletedAt: Date?
}
