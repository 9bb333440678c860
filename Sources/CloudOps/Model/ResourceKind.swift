/// The resource kinds the cloud steps write (`cloud_resources.kind`, `cloud_provisioned.kind`).
public enum ResourceKind {
    public static let droplet = "droplet"
    public static let snapshot = "snapshot"
    public static let domainRecord = "domain_record"

    /// The provider id of a DNS record in desired state: `domain/TYPE/name` (name relative, `@` for
    /// the apex), stable across DigitalOcean's record ids.
    public static func recordKey(domain: String, type: String, name: String) -> String {
        "\(domain.lowercased())/\(type.uppercased())/\(name.lowercased())"
    }
}
