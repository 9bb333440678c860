/// A DNS zone.
public struct Domain: Decodable, Sendable, Hashable, Identifiable {
    public var name: String
    public var ttl: Int?
    public var zoneFile: String?

    public var id: String { name }
}
