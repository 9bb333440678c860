import AsyncHTTPClient
import Foundation
package import NIOCore
package import OpenAPIAsyncHTTPClient
package import OpenAPIRuntime
import SagaEngine

/// The client generated from `openapi.yaml`, pointed at one server with one token: what the
/// remote facades (``RemoteSagaOperations``, ``RemoteInventoryOperations``) share, with the
/// translation of transport failures and error bodies into ``APIError``s.
package struct RemoteAPI: Sendable {
    let client: Client
    let server: URL

    /// A client of the server at `server`, authenticated with `token`.
    package init(server: URL, token: String, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(120)) {
        self.server = server
        client = Client(
            serverURL: server, configuration: .init(dateTranscoder: LenientDateTranscoder()),
            transport: AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: .init(timeout))),
            middlewares: [BearerTokenMiddleware(token: token)])
    }

    /// A call to the server; a server that cannot be reached or answers what the client cannot
    /// read is an ``APIError`` (status 503, `unreachable`) naming the address.
    func call<T>(_ body: (Client) async throws -> T) async throws -> T {
        do {
            return try await body(client)
        } catch let error as ClientError {
            throw APIError(
                503, "unreachable",
                "could not get an answer from \(server.absoluteString): \(String(describing: error.underlyingError).prefix(200))",
                details: ["is `arcadia serve` running there? check ARCADIA_SERVER or --server"])
        }
    }

    /// The error a `default` response carries.
    static func error(_ status: Int, _ response: Components.Responses._Error) -> APIError {
        guard case .json(let body) = response.body else {
            return APIError(status, "unexpected_response", "the server answered HTTP \(status) without an error body")
        }
        return APIError(status, body.error.code, body.error.message, details: body.error.details ?? [])
    }

    /// A generated value as the facade's type with the same JSON: one encoding for both sides.
    /// `snakeCase`: the type's keys are camelCase Swift names of snake_case JSON keys (``SagaJSON``);
    /// otherwise it names its JSON keys itself (the inventory types).
    static func convert<T: Decodable>(_ value: some Encodable, to type: T.Type, snakeCase: Bool = false) throws -> T {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Text.string(date))
        }
        let data = try encoder.encode(value)
        if snakeCase { return try SagaJSON.parse(type, from: data) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = SagaJSON.parseDate(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO-8601 date"))
            }
            return date
        }
        return try decoder.decode(type, from: data)
    }
}
