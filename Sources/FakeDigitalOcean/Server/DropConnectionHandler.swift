import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes the connection instead of sending a response head that carries the internal marker
/// header: how the simulator makes "the request was applied but the response was lost".
final class DropConnectionHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Set on a response by the responder; never reaches the wire.
    static let marker = HTTPField.Name("x-fake-drop-connection")!

    private var dropping = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(let head) = part, head.headerFields[Self.marker] != nil {
            dropping = true
            context.close(mode: .all, promise: nil)
        }
        if dropping {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }
}
