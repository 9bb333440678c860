import ArgumentParser
import CloudOps
import Foundation

/// Where DigitalOcean is and which tokens to use, shared by the commands that run cloud steps
/// (`worker`, `saga run`). Flags override the environment; prefer the environment for tokens
/// (flags show in process lists). Tokens are never printed.
struct DigitalOceanOptions: ParsableArguments {
    @Option(name: .customLong("do-api-url"), help: ArgumentHelp("DigitalOcean API base URL (env ARCADIA_DO_API_URL).", valueName: "url"))
    var apiURL: String?

    @Option(
        name: .customLong("do-token-provisioning"),
        help: ArgumentHelp("Token for changes (env ARCADIA_DO_TOKEN_PROVISIONING; prefer the environment).", valueName: "token"))
    var provisioningToken: String?

    @Option(
        name: .customLong("do-token-inventory"),
        help: ArgumentHelp("Read-only token for inventory (env ARCADIA_DO_TOKEN_INVENTORY; prefer the environment).", valueName: "token"))
    var inventoryToken: String?

    @Option(
        name: .customLong("do-poll-seconds"),
        help: "Seconds between looks at DigitalOcean while a step waits for an action, a droplet or a snapshot.")
    var pollSeconds: Double = 5

    func validate() throws {
        if let url = apiURL, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--do-api-url must be an http:// or https:// URL, got '\(url)'")
        }
        for (flag, token) in [("--do-token-provisioning", provisioningToken), ("--do-token-inventory", inventoryToken)] {
            if let token, token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("\(flag) must not be empty") }
        }
        guard pollSeconds > 0, pollSeconds <= 600 else { throw ValidationError("--do-poll-seconds must be between 0 and 600") }
    }

    /// The environment's settings with the flags applied.
    var environment: DigitalOceanEnvironment {
        var environment = DigitalOceanEnvironment.fromEnvironment()
        if let apiURL { environment.apiURL = apiURL }
        if let provisioningToken { environment.provisioningToken = provisioningToken }
        if let inventoryToken { environment.inventoryToken = inventoryToken }
        return environment
    }

    /// The cloud steps' settings: the seeds' budgets, with looks `--do-poll-seconds` apart.
    var configuration: CloudConfiguration {
        let interval = Duration.milliseconds(Int64(pollSeconds * 1000))
        // Budgets keep their length in time: 96 looks 5 s apart is 8 minutes whatever the interval.
        let scale = 5 / pollSeconds
        return CloudConfiguration(
            actionPollInterval: interval, actionPollBudget: Int((360 * scale).rounded(.up)), activePollInterval: interval,
            activePollBudget: Int((96 * scale).rounded(.up)), snapshotLookupInterval: interval,
            snapshotLookupBudget: Int((12 * scale).rounded(.up)), adoptLookupInterval: interval)
    }
}
