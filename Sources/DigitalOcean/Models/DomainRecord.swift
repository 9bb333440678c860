/// A DNS record. `name` is relative to the zone (`www`, `@` for the apex); hostname data
/// (CNAME, MX, NS, SRV) comes back without its trailing dot.
public struct DomainRecord: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var type: String
    public var name: String
    public var data: String
    public var priority: Int?
    public var port: Int?
    public var ttl: Int
    public var weight: Int?
    public var flags: Int?
    public var tag: String?
}
