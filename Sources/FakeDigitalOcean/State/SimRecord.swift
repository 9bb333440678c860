/// A DNS record; `name` is relative (`@` = apex), hostname data is stored without the final dot.
struct SimRecord: Sendable {
    var id: Int
    var type: String
    var name: String
    var data: String
    var priority: Int?
    var port: Int?
    var ttl: Int
    var weight: Int?
    var flags: Int?
    var tag: String?
}
