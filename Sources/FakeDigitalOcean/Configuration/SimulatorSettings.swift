/// The behaviour knobs of the simulator that the control API can change at run time.
public struct SimulatorSettings: Codable, Sendable, Equatable {
    public var lags: Lags
    public var rateLimits: RateLimits
    public var faults: [FaultRule]
    /// The account's droplet limit (creates beyond it get DigitalOcean's 422).
    public var dropletLimit: Int

    /// Creates settings.
    public init(lags: Lags = Lags(), rateLimits: RateLimits = RateLimits(), faults: [FaultRule] = [], dropletLimit: Int = 25) {
        self.lags = lags
        self.rateLimits = rateLimits
        self.faults = faults
        self.dropletLimit = dropletLimit
    }

    private enum CodingKeys: String, CodingKey { case lags, rateLimits = "rate_limits", faults, dropletLimit = "droplet_limit" }
}
