import Foundation

/// A TLS certificate for load balancers and CDN endpoints: uploaded (`custom`) or issued and
/// renewed by DigitalOcean (`lets_encrypt`). The private key is never returned.
public struct Certificate: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// When the certificate expires.
    public var notAfter: Date?
    public var sha1Fingerprint: String?
    public var createdAt: Date?
    public var dnsNames: [String]
    /// `pending`, `verified` or `error`.
    public var state: String?
    /// `custom` or `lets_encrypt`.
    public var type: String?

    private enum CodingKeys: String, CodingKey { case id, name, notAfter, sha1Fingerprint, createdAt, dnsNames, state, type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        notAfter = try container.decodeIfPresent(Date.self, forKey: .notAfter)
        sha1Fingerprint = try container.decodeIfPresent(String.self, forKey: .sha1Fingerprint)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        dnsNames = try container.decodeListIfPresent([String].self, forKey: .dnsNames)
        state = try container.decodeIfPresent(String.self, forKey: .state)
        type = try container.decodeIfPresent(String.self, forKey: .type)
    }
}
