/// A DNS record. `name` is relative to the zone (`www`, `@` for the apex); hostname data
/// (CNAME, MX, NS, SRV) comes back without its trailing dot.
///
/// The spec requires only `type`: DigitalOcean lists a zone's SOA record with a null `id`, so
/// every other field is optional and such a record never fails a page (it cannot be changed or
/// deleted anyway). Pagination does not de-duplicate records without an id.
public struct DomainRecord: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int?
    public var type: String
    public var name: String?
    public var data: String?
    public var priority: Int?
    public var port: Int?
    public var ttl: Int?
    public var weight: Int?
    public var flags: Int?
    public var tag: String?
}
