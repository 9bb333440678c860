public import AccessControl
import Billing
public import Foundation
import Logging
public import SagaEngine

/// ``SagaOperations`` on the database, through the engine: what the server's routes and the
/// CLI without `--server` use.
package struct EngineSagaOperations: SagaOperations {
    package let engine: SagaEngine
    /// Recorded on started sagas (`api`, `cli`, `dashboard`).
    package let triggeredBy: String
    /// The token the operations are done for, whose role decides what it may start; nil for
    /// the database directly (the CLI without `--server`), which may start anything.
    package let caller: AccessToken?

    package init(engine: SagaEngine, triggeredBy: String, caller: AccessToken?) {
        self.engine = engine
        self.triggeredBy = triggeredBy
        self.caller = caller
    }

    package func start(_ request: SagaStartRequest) async throws -> (saga: SagaJSON, created: Bool) {
        if let key = request.idempotencyKey, key.isEmpty || key.count > 200 {
            throw APIError.badRequest("idempotency_key must be 1 to 200 characters")
        }
        if let key = request.idempotencyKey, key.hasPrefix(SagaEngine.StartOptions.reservedKeyPrefix) {
            throw APIError.badRequest(
                "idempotency_key may not start with '\(SagaEngine.StartOptions.reservedKeyPrefix)': those keys are Arcadia's own")
        }
        if let caller {
            guard caller.allows(.operateSagas) else { throw APIError.forbidden("a \(caller.role.rawValue) token may not start sagas") }
            // A tenant's lifecycle (suspend, resume, offboard) is billing's, for admins, however it is asked for.
            if TenantAction(template: request.template) != nil, !caller.allows(.administer) {
                throw APIError.forbidden("a \(caller.role.rawValue) token may not start '\(request.template)': a tenant's lifecycle is for admins")
            }
        }
        if let bad = request.lockKeys.first(where: { $0.isEmpty || $0.count > 200 }) {
            throw APIError.badRequest("lock key '\(bad.prefix(64))' must be 1 to 200 characters")
        }
        do {
            let started = try await engine.start(
                request.template, inputs: request.inputs,
                options: .init(
                    idempotencyKey: request.idempotencyKey, lockKeys: request.lockKeys, deploymentID: request.inputs["deployment_id"]?.stringValue,
                    triggeredBy: triggeredBy))
            if started.created {
                engine.logger.info(
                    "saga started",
                    metadata: [
                        "saga.id": "\(started.saga.id.uuidString.lowercased())", "saga.template": "\(started.saga.template)",
                        "triggered_by": "\(triggeredBy)", "request.id": "\(RequestID.current ?? "")", "token.prefix": "\(caller?.prefix ?? "")",
                    ])
            }
            return (SagaJSON(started.saga), started.created)
        } catch let error as SagaInputError {
            throw APIError(422, "invalid_inputs", "the inputs of template '\(error.template)' are not valid", details: error.problems)
        } catch let error as EngineError where error.code == .unknownTemplate || error.code == .unknownStep {
            throw APIError(
                422, error.code.description, error.message,
                details: ["templates: " + engine.registry.templates.map(\.name).joined(separator: ", ")])
        } catch let error as EngineError where error.code == .idempotencyConflict {
            throw APIError(409, error.code.description, error.message)
        }
    }

    package func list(_ query: SagaQuery) async throws -> SagaPage {
        var filter = SagaFilter(limit: query.limit)
        guard (1...500).contains(query.limit) else { throw APIError.badRequest("limit must be between 1 and 500") }
        if let status = query.status {
            guard let parsed = SagaStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "unknown status '\(status.prefix(64))'", details: ["one of: " + SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            filter.status = parsed
        }
        filter.template = query.template
        if let kind = query.kind {
            guard let parsed = SagaKind(rawValue: kind) else {
                throw APIError.badRequest(
                    "unknown kind '\(kind.prefix(64))'", details: ["one of: " + SagaKind.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            filter.kind = parsed
        }
        filter.deploymentID = query.deployment
        if let cursor = query.cursor {
            guard let after = UUID(uuidString: cursor) else { throw APIError.badRequest("cursor '\(cursor.prefix(64))' is not one this API gave") }
            filter.after = after
        }
        let sagas = try await engine.list(filter)
        // An empty page after a cursor naming no saga is a wrong cursor, not the end of the list.
        if sagas.isEmpty, let after = filter.after, try await engine.store.saga(id: after) == nil {
            throw APIError.badRequest("cursor '\(after.uuidString.lowercased())' names no saga; list again without a cursor")
        }
        let next = sagas.count == filter.limit ? sagas.last?.id.uuidString.lowercased() : nil
        return SagaPage(sagas: sagas.map { SagaJSON($0) }, nextCursor: next)
    }

    package func detail(_ id: String) async throws -> SagaJSON {
        let uuid = try Self.sagaID(id)
        do {
            return SagaJSON(try await engine.detail(uuid))
        } catch let error as EngineError where error.code == .notFound {
            throw APIError.notFound("no saga \(uuid.uuidString.lowercased())")
        }
    }

    package func perform(_ action: SagaAction, on id: String) async throws -> SagaJSON {
        let uuid = try Self.sagaID(id)
        do {
            let record: SagaRecord
            switch action {
            case .cancel: record = try await engine.cancel(uuid)
            case .kill: record = try await engine.kill(uuid)
            case .retry: record = try await engine.retry(uuid)
            case .resume: record = try await engine.resume(uuid)
            }
            return SagaJSON(record)
        } catch let error as EngineError where error.code == .notFound {
            throw APIError.notFound("no saga \(uuid.uuidString.lowercased())")
        } catch let error as EngineError where error.code == .invalidTransition {
            throw APIError(409, error.code.description, error.message)
        }
    }

    /// A saga id, or 404 naming what was given.
    private static func sagaID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("'\(text.prefix(64))' is not a saga id") }
        return id
    }
}
