import Foundation

/// A CDN endpoint in front of a Spaces bucket.
public struct CDNEndpoint: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    /// The origin host (`static-images.nyc3.digitaloceanspaces.com`).
    public var origin: String?
    /// The CDN host (`static-images.nyc3.cdn.digitaloceanspaces.com`).
    public var endpoint: String?
    /// Cache lifetime in seconds: 60, 600, 3600, 86400 or 604800.
    public var ttl: Int?
    /// The certificate of the custom domain, if any.
    public var certificateID: String?
    public var customDomain: String?
    public var createdAt: Date?

    private enum CodingKeys: String, CodingKey {
        case id, origin, endpoint, ttl, certificateID = "certificateId", customDomain, createdAt
    }
}
