import AsyncHTTPClient
import NIOCore

extension DigitalOceanClient {
    /// The process-wide HTTP client the DigitalOcean clients use by default.
    ///
    /// Unlike `HTTPClient.shared`, it does not retry connection establishment inside the pool
    /// until the request deadline: a refused or unreachable endpoint fails within the connect
    /// timeout, and the DigitalOcean client's own bounded retries (with backoff) take over.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
