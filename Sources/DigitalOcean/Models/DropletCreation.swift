/// The answer to a droplet create (202): the droplet, still `new`, and the create action to poll.
public struct DropletCreation: Decodable, Sendable, Hashable {
    public var droplet: Droplet
    /// Ids of the actions in `links.actions` (the `create` action).
    public var actionIDs: [Int]

    private struct Links: Decodable {
        struct ActionLink: Decodable { var id: Int }
        var actions: [ActionLink]?
    }
    private enum CodingKeys: String, CodingKey { case droplet, links }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        droplet = try container.decode(Droplet.self, forKey: .droplet)
        actionIDs = try container.decodeIfPresent(Links.self, forKey: .links)?.actions?.map(\.id) ?? []
    }
}
