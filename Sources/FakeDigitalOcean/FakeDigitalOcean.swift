import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// A faithful DigitalOcean API v2 simulator served over HTTP (`arcadia fake-do`, or in-process
/// on port 0 in tests).
public struct FakeDigitalOcean: Sendable {
    /// How the server was set up.
    public let configuration: Configuration
    /// The state and request pipeline behind the server.
    public let simulator: Simulator
    let logger: Logger

    /// Creates a simulator with an empty account.
    public init(configuration: Configuration, logger: Logger = Logger(label: "arcadia.fake-do")) {
        self.configuration = configuration
        self.logger = logger
        self.simulator = Simulator(
            settings: configuration.settings, tokens: configuration.tokens, seed: configuration.seed, publicBaseURL: configuration.publicBaseURL,
            frozenClock: configuration.frozenClock, logger: logger)
    }

    /// The Hummingbird application, as a `Service` for a `ServiceGroup`. `onListening` receives
    /// the bound port (useful with port 0).
    public func makeApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [DropConnectionHandler()]))
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
            server = try .tls(http1, tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } else {
            server = http1
        }
        return Application(
            responder: SimulatorResponder(simulator: simulator), server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
