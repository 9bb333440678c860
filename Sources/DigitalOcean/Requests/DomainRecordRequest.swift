/// The body of a domain record create or update. `name` is relative to the zone (`@` for the
/// apex); CNAME and MX `data` must end with a dot.
public struct DomainRecordRequest: Encodable, Sendable, Hashable {
    public var type: String
    public var name: String
    public var data: String
    public var priority: Int?
    public var port: Int?
    public var ttl: Int?
    public var weight: Int?
    public var flags: Int?
    public var tag: String?

    /// Creates a request.
    public init(
        type: String, name: String, data: String, priority: Int? = nil, port: Int? = nil, ttl: Int? = nil, weight: Int? = nil,
        flags: Int? = nil, tag: String? = nil
    ) {
        self.type = type
        self.name = name
        self.data = data
        self.priority = priority
        self.port = port
        self.ttl = ttl
        self.weight = weight
        self.flags = flags
        self.tag = tag
    }
}
