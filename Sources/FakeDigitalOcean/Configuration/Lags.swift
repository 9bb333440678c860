/// How long DigitalOcean's asynchronous and eventually consistent behaviours take, in
/// simulated seconds. The defaults are close to what DigitalOcean users observe; ``zero``
/// makes everything immediate for fast tests.
public struct Lags: Codable, Sendable, Equatable {
    /// A droplet create action runs this long (`new` → `active`, networks filled at the end).
    public var dropletCreate: Double
    /// Power, reboot, resize, rebuild and IP actions run this long.
    public var action: Double
    /// A snapshot action runs this long.
    public var snapshotAction: Double
    /// A new droplet is missing from `GET /v2/droplets` for this long.
    public var listVisibility: Double
    /// `GET /v2/droplets/{id}` answers 404 for this long after the create.
    public var getNotFound: Double
    /// A snapshot appears in `/v2/droplets/{id}/snapshots` this long after its action completed
    /// (the droplet stays locked meanwhile).
    public var snapshotListing: Double
    /// Deleted droplets and snapshots linger in listings this long.
    public var deleteLinger: Double
    /// A droplet's `status` lags this long behind its completed power action.
    public var statusLag: Double

    /// Creates lags.
    public init(
        dropletCreate: Double = 25, action: Double = 8, snapshotAction: Double = 40, listVisibility: Double = 4, getNotFound: Double = 2,
        snapshotListing: Double = 6, deleteLinger: Double = 5, statusLag: Double = 2
    ) {
        self.dropletCreate = dropletCreate
        self.action = action
        self.snapshotAction = snapshotAction
        self.listVisibility = listVisibility
        self.getNotFound = getNotFound
        self.snapshotListing = snapshotListing
        self.deleteLinger = deleteLinger
        self.statusLag = statusLag
    }

    /// Everything immediate.
    public static let zero = Lags(
        dropletCreate: 0, action: 0, snapshotAction: 0, listVisibility: 0, getNotFound: 0, snapshotListing: 0, deleteLinger: 0, statusLag: 0)

    /// Every lag multiplied by `factor`: DigitalOcean's behaviours kept, in less time (tests run
    /// with the lags switched on at a hundredth of their length).
    public func scaled(by factor: Double) -> Lags {
        Lags(
            dropletCreate: dropletCreate * factor, action: action * factor, snapshotAction: snapshotAction * factor,
            listVisibility: listVisibility * factor, getNotFound: getNotFound * factor, snapshotListing: snapshotListing * factor,
            deleteLinger: deleteLinger * factor, statusLag: statusLag * factor)
    }

    private enum CodingKeys: String, CodingKey {
        case dropletCreate = "droplet_create", action, snapshotAction = "snapshot_action", listVisibility = "list_visibility"
        case getNotFound = "get_not_found", snapshotListing = "snapshot_listing", deleteLinger = "delete_linger", statusLag = "status_lag"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Lags()
        dropletCreate = try container.decodeIfPresent(Double.self, forKey: .dropletCreate) ?? defaults.dropletCreate
        action = try container.decodeIfPresent(Double.self, forKey: .action) ?? defaults.action
        snapshotAction = try container.decodeIfPresent(Double.self, forKey: .snapshotAction) ?? defaults.snapshotAction
        listVisibility = try container.decodeIfPresent(Double.self, forKey: .listVisibility) ?? defaults.listVisibility
        getNotFound = try container.decodeIfPresent(Double.self, forKey: .getNotFound) ?? defaults.getNotFound
        snapshotListing = try container.decodeIfPresent(Double.self, forKey: .snapshotListing) ?? defaults.snapshotListing
        deleteLinger = try container.decodeIfPresent(Double.self, forKey: .deleteLinger) ?? defaults.deleteLinger
        statusLag = try container.decodeIfPresent(Double.self, forKey: .statusLag) ?? defaults.statusLag
    }
}
