/// The body of `POST /v2/volumes`.
public struct VolumeCreateRequest: Encodable, Sendable, Hashable {
    public var name: String
    public var sizeGigabytes: Int
    public var region: String
    public var description: String?
    public var filesystemType: String?
    public var tags: [String]?

    /// Creates a request.
    public init(
        name: String, sizeGigabytes: Int, region: String, description: String? = nil, filesystemType: String? = nil, tags: [String]? = nil
    ) {
        self.name = name
        self.sizeGigabytes = sizeGigabytes
        self.region = region
        self.description = description
        self.filesystemType = filesystemType
        self.tags = tags
    }
}
