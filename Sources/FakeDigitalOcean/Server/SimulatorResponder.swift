import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Adapts Hummingbird requests to the ``Simulator`` pipeline.
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let simulator: Simulator

    func respond(to request: Request, context: Context) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // HTTP/1 `Host` arrives as the request's authority.
        if let authority = request.head.authority { headers["host"] = authority }
        let answer: Simulator.Answer
        if let body = try? await request.body.collect(upTo: Simulator.maxBodyBytes) {
            let exchange = Simulator.Exchange(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
                body: Data(body.readableBytesView))
            answer = await simulator.handle(exchange)
        } else {
            answer = simulator.failure(
                .badRequest("request body too large (limit \(Simulator.maxBodyBytes) bytes)"), requestID: UUID().uuidString.lowercased(), limits: [])
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        if answer.dropConnection { fields[DropConnectionHandler.marker] = "1" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
