import AccessControl
import CloudOps
package import Foundation
package import OpenAPIRuntime
import Prometheus
import SagaEngine

/// The JSON API's handlers, generated from `openapi.yaml` (`APIProtocol`): each checks the
/// request's token and answers through the engine and the stores.
struct APIHandler: APIProtocol {
    let engine: SagaEngine
    let store: any InventoryStore
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
        var filter = SagaFilter(limit: input.query.limit ?? 50)
        if let status = input.query.status {
            guard let parsed = SagaStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "unknown status '\(status)'", details: ["one of: " + SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            filter.status = parsed
        }
        filter.template = input.query.template
        if let kind = input.query.kind {
            guard let parsed = SagaKind(rawValue: kind) else {
                throw APIError.badRequest(
                    "unknown kind '\(kind.prefix(64))'", details: ["one of: " + SagaKind.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            filter.kind = parsed
        }
        filter.deploymentID = input.query.deployment
        if let cursor = input.query.cursor {
            guard let after = UUID(uuidString: cursor) else { throw APIError.badRequest("cursor '\(cursor.prefix(64))' is not one this API gave") }
            filter.after = after
        }
        guard (1...500).contains(filter.limit) else { throw APIError.badRequest("limit must be between 1 and 500") }
        let sagas = try await engine.list(filter)
        let next = sagas.count == filter.limit ? sagas.last?.id.uuidString.lowercased() : nil
        return .ok(.init(body: .json(.init(sagas: try sagas.map { try Self.schema(SagaJSON($0)) }, nextCursor: next))))
    }

    func startSaga(_ input: Operations.StartSaga.Input) async throws -> Operations.StartSaga.Output {
        _ = try AuthenticatedToken.require(.operateSagas)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let inputs = try Self.jsonValues(body.inputs?.additionalProperties)
        let started: (saga: SagaRecord, created: Bool)
        do {
            started = try await engine.start(body.template, inputs: inputs, options: .init(idempotencyKey: body.idempotencyKey))
        } catch let error as SagaInputError {
            throw APIError(422, "invalid_inputs", "the inputs of template '\(error.template)' are not valid", details: error.problems)
        } catch let error as EngineError where error.code == .unknownTemplate || error.code == .unknownStep {
            throw APIError(422, error.code.description, error.message)
        } catch let error as EngineError where error.code == .idempotencyConflict {
            throw APIError(409, error.code.description, error.message)
        }
        let saga = try Self.schema(SagaJSON(started.saga))
        return started.created ? .created(.init(body: .json(saga))) : .ok(.init(body: .json(saga)))
    }

    func getSaga(_ input: Operations.GetSaga.Input) async throws -> Operations.GetSaga.Output {
        _ = try AuthenticatedToken.require(.read)
        guard let id = UUID(uuidString: input.path.id) else { throw APIError.notFound("'\(input.path.id.prefix(64))' is not a saga id") }
        do {
            return .ok(.init(body: .json(try Self.schema(SagaJSON(try await engine.detail(id))))))
        } catch let error as EngineError where error.code == .notFound {
            throw APIError.notFound("no saga \(id.uuidString.lowercased())")
        }
    }

    func cancelSaga(_ input: Operations.CancelSaga.Input) async throws -> Operations.CancelSaga.Output {
        .ok(.init(body: .json(try await operate(input.path.id) { try await engine.cancel($0) })))
    }

    func killSaga(_ input: Operations.KillSaga.Input) async throws -> Operations.KillSaga.Output {
        .ok(.init(body: .json(try await operate(input.path.id) { try await engine.kill($0) })))
    }

    func retrySaga(_ input: Operations.RetrySaga.Input) async throws -> Operations.RetrySaga.Output {
        .ok(.init(body: .json(try await operate(input.path.id) { try await engine.retry($0) })))
    }

    func resumeSaga(_ input: Operations.ResumeSaga.Input) async throws -> Operations.ResumeSaga.Output {
        .ok(.init(body: .json(try await operate(input.path.id) { try await engine.resume($0) })))
    }

    /// An operator's action on one saga: 404 for an unknown id, 409 when the saga's state does not allow it.
    private func operate(_ text: String, _ action: (UUID) async throws -> SagaRecord) async throws -> Components.Schemas.Saga {
        _ = try AuthenticatedToken.require(.operateSagas)
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("'\(text.prefix(64))' is not a saga id") }
        do {
            return try Self.schema(SagaJSON(try await action(id)))
        } catch let error as EngineError where error.code == .notFound {
            throw APIError.notFound("no saga \(id.uuidString.lowercased())")
        } catch let error as EngineError where error.code == .invalidTransition {
            throw APIError(409, error.code.description, error.message)
        }
    }

    func listInventory(_ input: Operations.ListInventory.Input) async throws -> Operations.ListInventory.Output {
        _ = try AuthenticatedToken.require(.read)
        if let kind = input.query.kind, !InventoryKind.names.contains(kind) {
            throw APIError.badRequest("unknown kind '\(kind.prefix(64))'", details: ["one of: " + InventoryKind.names.joined(separator: ", ")])
        }
        let rows = try await store.resources(kind: input.query.kind, includeDeleted: input.query.includeDeleted ?? false)
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(["resources": rows.map(InventoryJSON.Resource.init)])))))
    }

    func syncInventory(_ input: Operations.SyncInventory.Input) async throws -> Operations.SyncInventory.Output {
        _ = try AuthenticatedToken.require(.operateInventory)
        guard let inventorySync else {
            throw APIError(503, "no_inventory_token", "this server has no inventory token: set ARCADIA_DO_TOKEN_INVENTORY and restart it")
        }
        do {
            let run = try await inventorySync.syncNow(trigger: "api")
            return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(InventoryJSON.Run(run: run))))))
        } catch let error as InventoryError where error.code == .syncRunning {
            throw APIError(409, "sync_running", error.message)
        }
    }

    func listSyncRuns(_ input: Operations.ListSyncRuns.Input) async throws -> Operations.ListSyncRuns.Output {
        _ = try AuthenticatedToken.require(.read)
        let limit = input.query.limit ?? 20
        guard (1...1000).contains(limit) else { throw APIError.badRequest("limit must be between 1 and 1000") }
        let runs = try await store.syncRuns(limit: limit)
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(["runs": runs.map(InventoryJSON.Run.init)])))))
    }

    func getDrift(_ input: Operations.GetDrift.Input) async throws -> Operations.GetDrift.Output {
        _ = try AuthenticatedToken.require(.read)
        let report = try await DriftDetector(store: store, now: engine.clock.now).report()
        return .ok(.init(body: .json(try Self.decode(InventoryJSON.encode(report)))))
    }

    /// The saga object as `saga show --json` prints it, in the generated type.
    static func schema(_ saga: SagaJSON) throws -> Components.Schemas.Saga {
        try decode(SagaJSON.render(saga))
    }

    /// JSON text (as the CLI prints it) in a generated type: one encoding for both.
    static func decode<T: Decodable>(_ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime]
            guard let date = formatter.date(from: text) else { throw APIError(500, "internal", "a date did not encode") }
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
