import Foundation
package import OpenAPIRuntime
import SagaEngine

/// ``SagaOperations`` through a running server's JSON API (`arcadia saga ... --server URL`), with
/// the client generated from `openapi.yaml`. The server's errors come back as the same
/// ``APIError``s the engine side throws.
package struct RemoteSagaOperations: SagaOperations {
    let api: RemoteAPI

    package init(api: RemoteAPI) { self.api = api }

    package func start(_ request: SagaStartRequest) async throws -> (saga: SagaJSON, created: Bool) {
        let inputs = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: JSONEncoder().encode(request.inputs))
        let body = Components.Schemas.StartSaga(
            template: request.template, inputs: .init(additionalProperties: inputs), idempotencyKey: request.idempotencyKey,
            lockKeys: request.lockKeys.isEmpty ? nil : request.lockKeys)
        switch try await api.call({ try await $0.startSaga(body: .json(body)) }) {
        case .created(let created): return (try Self.saga(created.body.json), true)
        case .ok(let existing): return (try Self.saga(existing.body.json), false)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func list(_ query: SagaQuery) async throws -> SagaPage {
        let input = Operations.ListSagas.Input.Query(
            status: query.status, template: query.template, kind: query.kind, deployment: query.deployment, cursor: query.cursor,
            limit: query.limit)
        switch try await api.call({ try await $0.listSagas(query: input) }) {
        case .ok(let page):
            let list = try page.body.json
            return SagaPage(sagas: try list.sagas.map(Self.saga), nextCursor: list.nextCursor)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func detail(_ id: String) async throws -> SagaJSON {
        switch try await api.call({ try await $0.getSaga(path: .init(id: id)) }) {
        case .ok(let found): return try Self.saga(found.body.json)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func perform(_ action: SagaAction, on id: String) async throws -> SagaJSON {
        let response: Components.Responses.SagaResponse
        switch action {
        case .cancel:
            switch try await api.call({ try await $0.cancelSaga(path: .init(id: id)) }) {
            case .ok(let ok): response = ok
            case .default(let status, let error): throw RemoteAPI.error(status, error)
            }
        case .kill:
            switch try await api.call({ try await $0.killSaga(path: .init(id: id)) }) {
            case .ok(let ok): response = ok
            case .default(let status, let error): throw RemoteAPI.error(status, error)
            }
        case .retry:
            switch try await api.call({ try await $0.retrySaga(path: .init(id: id)) }) {
            case .ok(let ok): response = ok
            case .default(let status, let error): throw RemoteAPI.error(status, error)
            }
        case .resume:
            switch try await api.call({ try await $0.resumeSaga(path: .init(id: id)) }) {
            case .ok(let ok): response = ok
            case .default(let status, let error): throw RemoteAPI.error(status, error)
            }
        }
        return try Self.saga(response.body.json)
    }

    /// The generated saga in the facade's type.
    static func saga(_ saga: Components.Schemas.Saga) throws -> SagaJSON { try RemoteAPI.convert(saga, to: SagaJSON.self, snakeCase: true) }
}
