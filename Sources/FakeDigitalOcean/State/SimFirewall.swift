import Foundation

/// A cloud firewall; rules are kept as the JSON the caller sent.
struct SimFirewall: Sendable {
    var id: String
    var name: String
    var createdAt: Date
    var readyAt: Date
    var dropletIDs: [Int]
    var tags: [String]
    var inboundRules: [JSON]
    var outboundRules: [JSON]
    var deleted = false
}
