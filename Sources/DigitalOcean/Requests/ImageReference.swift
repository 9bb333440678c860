/// An image named by slug (`ubuntu-24-04-x64`) or by id (snapshots must be passed by id:
/// DigitalOcean rejects a snapshot *name* with 422 "You specified an invalid image").
public enum ImageReference: Sendable, Hashable, Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case slug(String)
    case id(Int)

    public init(stringLiteral value: String) { self = .slug(value) }
    public init(integerLiteral value: Int) { self = .id(value) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .slug(let slug): try container.encode(slug)
        case .id(let id): try container.encode(id)
        }
    }
}
