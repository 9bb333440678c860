import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/registry`: the account's container registry, or `nil` when it has none
    /// (DigitalOcean answers 404 then). Every other failure throws.
    public func registry() async throws -> ContainerRegistry? {
        do {
            return try await object(ContainerRegistry.self, .GET, "/v2/registry", key: "registry")
        } catch let error as DigitalOceanError where error.isNotFound {
            return nil
        }
    }
}
