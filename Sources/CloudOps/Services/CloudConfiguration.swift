/// How the cloud steps wait and how long they wait for DigitalOcean.
///
/// The defaults carry the seeds' figures from the real API (96 × 5 s for a droplet to become
/// active, 12 × 5 s for a snapshot to show in its droplet's listing); tests shorten the
/// intervals against a simulator with shortened lags.
public struct CloudConfiguration: Sendable, Hashable {
    /// Between two looks at an action in progress (snapshot, power).
    public var actionPollInterval: Duration
    /// Looks at an action before the step gives up on it (a permanent failure).
    public var actionPollBudget: Int
    /// Between two looks at a new droplet's status.
    public var activePollInterval: Duration
    /// Looks before `WaitDropletActive` gives up (the seed: 96 × 5 s = 8 minutes).
    public var activePollBudget: Int
    /// Between two looks for a snapshot in its droplet's listing after its action completed.
    public var snapshotLookupInterval: Duration
    /// Looks before the snapshot is declared missing (the seed: 12 × 5 s).
    public var snapshotLookupBudget: Int
    /// After a create whose outcome is unknown (response lost, 5xx, worker died), how long the
    /// step keeps looking its resource up by tag or name before it concludes the create was not
    /// applied and creates again. Longer than DigitalOcean's listing lag for new objects.
    public var adoptWindow: Duration
    /// Between two such lookups.
    public var adoptLookupInterval: Duration
    /// After a DELETE, looks at the droplet until it answers 404 (a compensation confirms it is gone).
    public var deleteConfirmBudget: Int
    /// The longest a DigitalOcean call waits in memory for the token's rate-limit window; a longer
    /// wait parks the saga in the database until then.
    public var maxRateLimitWaitInMemory: Duration
    /// How old a managed resource without desired state must be before drift calls it an orphan
    /// (and `reconcile` may destroy it): younger, its provisioning saga may still be running.
    public var orphanMinimumAge: Duration

    /// Creates a configuration.
    public init(
        actionPollInterval: Duration = .seconds(5), actionPollBudget: Int = 360, activePollInterval: Duration = .seconds(5),
        activePollBudget: Int = 96, snapshotLookupInterval: Duration = .seconds(5), snapshotLookupBudget: Int = 12,
        adoptWindow: Duration = .seconds(60), adoptLookupInterval: Duration = .seconds(5), deleteConfirmBudget: Int = 24,
        maxRateLimitWaitInMemory: Duration = .seconds(5), orphanMinimumAge: Duration = .seconds(1800)
    ) {
        self.orphanMinimumAge = orphanMinimumAge
        self.actionPollInterval = actionPollInterval
        self.actionPollBudget = actionPollBudget
        self.activePollInterval = activePollInterval
        self.activePollBudget = activePollBudget
        self.snapshotLookupInterval = snapshotLookupInterval
        self.snapshotLookupBudget = snapshotLookupBudget
        self.adoptWindow = adoptWindow
        self.adoptLookupInterval = adoptLookupInterval
        self.deleteConfirmBudget = deleteConfirmBudget
        self.maxRateLimitWaitInMemory = maxRateLimitWaitInMemory
    }
}
