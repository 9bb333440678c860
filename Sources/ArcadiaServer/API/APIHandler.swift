import AccessControl
import ArcadiaStorage
import Billing
import CloudOps
package import Foundation
package import OpenAPIRuntime
import Prometheus
import SagaEngine

/// The JSON API's handlers, generated from `openapi.yaml` (`APIProtocol`): each checks the
/// request's token and answers through the engine and the stores.
struct APIHandler: APIProtocol {
    let engine: SagaEngine
    /// The saga facade the CLI uses too.
    /// The saga facade for the request's token.
    var sagas: EngineSagaOperations { EngineSagaOperations(engine: engine, triggeredBy: "api", caller: AuthenticatedToken.current) }
    /// The inventory facade the CLI uses too.
    var inventory: StoreInventoryOperations {
        StoreInventoryOperations(store: store, inventorySync: inventorySync, trigger: "api", now: { [engine] in engine.clock.now })
    }
    let store: any ArcadiaStore
    /// Nil without an inventory token: a sync request answers 503 naming the variable.
    let inventorySync: InventorySync?
    /// Where this process's metrics are collected (nil: `/metrics` answers empty).
    let metrics: PrometheusCollectorRegistry?

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        _ = try AuthenticatedToken.require(.read)
        return .ok(.init(body: .plainText(HTTPBody(metrics?.emitToString() ?? ""))))
    }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func listTemplates(_ input: Operations.ListTemplates.Input) async throws -> Operations.ListTemplates.Output {
        _ = try AuthenticatedToken.require(.read)
        let templates = engine.registry.templates.map { template in
            Components.Schemas.Template(
                name: template.name, kind: template.kind.rawValue, summary: template.summary,
                inputs: template.inputs.map { spec in
                    .init(
                        name: spec.name, _type: spec.type.rawValue, required: spec.isRequired,
                        _default: spec.defaultValue.flatMap { try? Self.container($0) },
                        summary: spec.summary)
                })
        }
        return .ok(.init(body: .json(.init(templates: templates))))
    }

    func listSagas(_ input: Operations.ListSagas.Input) async throws -> Operations.ListSagas.Output {
        _ = try AuthenticatedToken.require(.read)
        let query = SagaQuery(
            status: input.query.status, template: input.query.template, kind: input.query.kind, deployment: input.query.deployment,
            cursor: input.query.cursor, limit: input.query.limit ?? 50)
        let page = try await sagas.list(query)
        return .ok(.init(body: .json(.init(sagas: try page.sagas.map(Self.schema), nextCursor: page.nextCursor))))
    }

    func startSaga(_ input: Operations.StartSaga.Input) async throws -> Operations.StartSaga.Output {
        _ = try AuthenticatedToken.require(.operateSagas)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let request = SagaStartRequest(
            template: body.template, inputs: try Self.jsonValues(body.inputs?.additionalProperties), idempotencyKey: body.idempotencyKey,
            lockKeys: body.lockKeys ?? [])
        let started = try await sagas.start(request)
        let saga = try Self.schema(started.saga)
        return started.created ? .created(.init(body: .json(saga))) : .ok(.init(body: .json(saga)))
    }

    func getSaga(_ input: Operations.GetSaga.Input) async throws -> Operations.GetSaga.Output {
        _ = try AuthenticatedToken.require(.read)
        return .ok(.init(body: .json(try Self.schema(try await sagas.detail(input.path.id)))))
    }

    func cancelSaga(_ input: Operations.CancelSaga.Input) async throws -> Operations.CancelSaga.Output {
        .ok(.init(body: .json(try await operate(.cancel, input.path.id))))
    }

    func killSaga(_ input: Operations.KillSaga.Input) async throws -> Operations.KillSaga.Output {
        .ok(.init(body: .json(try await operate(.kill, input.path.id))))
    }

    func retrySaga(_ input: Operations.RetrySaga.Input) async throws -> Operations.RetrySaga.Output {
        .ok(.init(body: .json(try await operate(.retry, input.path.id))))
    }

    func resumeSaga(_ input: Operations.ResumeSaga.Input) async throws -> Operations.ResumeSaga.Output {
        .ok(.init(body: .json(try await operate(.resume, input.path.id))))
    }

    /// An operator's action on one saga: 404 for an unknown id, 409 when the saga's state does not allow it.
    private func operate(_ action: SagaAction, _ id: String) async throws -> Components.Schemas.Saga {
        _ = try AuthenticatedToken.require(.operateSagas)
        return try Self.schema(try await sagas.perform(action, on: id))
    }

    func listInventory(_ input: Operations.ListInventory.Input) async throws -> Operations.ListInventory.Output {
        _ = try AuthenticatedToken.require(.read)
        let rows = try await inventory.resources(kind: input.query.kind, includeDeleted: input.query.includeDeleted ?? false)
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(["resources": rows.map(InventoryJSON.Resource.init)])))))
    }

    func syncInventory(_ input: Operations.SyncInventory.Input) async throws -> Operations.SyncInventory.Output {
        _ = try AuthenticatedToken.require(.operateInventory)
        let run = try await inventory.sync()
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(InventoryJSON.Run(run: run))))))
    }

    func listSyncRuns(_ input: Operations.ListSyncRuns.Input) async throws -> Operations.ListSyncRuns.Output {
        _ = try AuthenticatedToken.require(.read)
        let runs = try await inventory.runs(limit: input.query.limit ?? 20)
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(["runs": runs.map(InventoryJSON.Run.init)])))))
    }

    func getDrift(_ input: Operations.GetDrift.Input) async throws -> Operations.GetDrift.Output {
        _ = try AuthenticatedToken.require(.read)
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(try await inventory.drift())))))
    }

    /// The saga object as `saga show --json` prints it, in the generated type.
    static func schema(_ saga: SagaJSON) throws -> Components.Schemas.Saga {
        try Components.Schemas.Saga(saga)
    }

    /// JSON text (as the CLI prints it) in a generated type: one encoding for both.
    static func decode<T: Decodable>(_ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = ISO8601Text.date(text) else { throw APIError(500, "internal", "a date did not encode") }
            return date
        }
        return try decoder.decode(T.self, from: Data(text.utf8))
    }

    /// A JSON value as the generated code's free-form container.
    static func container(_ value: JSONValue) throws -> OpenAPIValueContainer {
        try JSONDecoder().decode(OpenAPIValueContainer.self, from: JSONEncoder().encode(value))
    }

    /// The request's free-form inputs as the engine's JSON values.
    static func jsonValues(_ container: OpenAPIObjectContainer?) throws -> [String: JSONValue] {
        guard let container else { return [:] }
        let data = try JSONEncoder().encode(container)
        return try JSONDecoder().decode([String: JSONValue].self, from: data)
    }
}
