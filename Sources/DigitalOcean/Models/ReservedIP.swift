/// A reserved (formerly floating) IP.
public struct ReservedIP: Decodable, Sendable, Hashable, Identifiable {
    public var ip: String
    public var region: Region?
    /// The droplet the address is assigned to, if any.
    public var droplet: Droplet?
    public var locked: Bool?
    public var projectID: String?

    public var id: String { ip }

    private enum CodingKeys: String, CodingKey { case ip, region, droplet, locked, projectID = "projectId" }
}
