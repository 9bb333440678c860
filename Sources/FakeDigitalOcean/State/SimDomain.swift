import Foundation

/// A DNS zone with its records.
struct SimDomain: Sendable {
    var name: String
    var ttl = 1800
    var records: [SimRecord] = []
    var createdAt: Date
}
