import DigitalOcean
import Foundation

/// DigitalOcean settings from the environment, shared by every command: the API URL and one
/// token per purpose. Tokens are never printed.
public struct DigitalOceanEnvironment: Sendable {
    public static let apiURLVariable = "ARCADIA_DO_API_URL"
    public static let provisioningTokenVariable = "ARCADIA_DO_TOKEN_PROVISIONING"
    public static let inventoryTokenVariable = "ARCADIA_DO_TOKEN_INVENTORY"

    /// The API base URL (default the real API).
    public var apiURL: String
    public var provisioningToken: String?
    public var inventoryToken: String?

    /// Creates settings.
    public init(apiURL: String = "https://api.digitalocean.com", provisioningToken: String? = nil, inventoryToken: String? = nil) {
        self.apiURL = apiURL
        self.provisioningToken = provisioningToken
        self.inventoryToken = inventoryToken
    }

    /// Reads the variables; empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> DigitalOceanEnvironment {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        return DigitalOceanEnvironment(
            apiURL: value(apiURLVariable) ?? "https://api.digitalocean.com", provisioningToken: value(provisioningTokenVariable),
            inventoryToken: value(inventoryTokenVariable))
    }

    /// Clients for the tokens that are set. The provisioning client waits in memory for a rate
    /// limit at most `maxRateLimitWait`; longer waits come back to the step as a durable wait.
    public func clients(maxRateLimitWait: Duration = .seconds(5)) -> (provisioning: DigitalOceanClient?, inventory: DigitalOceanClient?) {
        func client(_ token: String?, _ purpose: TokenPurpose) -> DigitalOceanClient? {
            guard let token else { return nil }
            return DigitalOceanClient(
                configuration: .init(
                    token: APIToken(token, purpose: purpose), baseURL: apiURL, retry: .init(maxRateLimitWait: maxRateLimitWait)))
        }
        return (client(provisioningToken, .provisioning), client(inventoryToken, .inventory))
    }
}
