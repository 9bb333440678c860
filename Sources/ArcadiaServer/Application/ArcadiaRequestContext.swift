import Hummingbird
package import NIOCore

/// The request context of every route: Hummingbird's core storage and the client's address (for
/// throttling repeated bad tokens per client).
package struct ArcadiaRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address as ``AuthThrottle`` keys it.
    var clientKey: String { AuthThrottle.key(remoteAddress?.ipAddress) }
}
