import Foundation
import PostgresNIO
import SagaEngine

extension PostgresSagaStore {
    /// Saga columns, with JSON as text (decoded by Foundation, keeping ints and doubles apart).
    static let sagaColumns = """
        id, kind, template, step_names, inputs::text AS inputs, context::text AS context, status, current_step,
        cancel_requested, error, deployment_id, tenant_id, triggered_by, idempotency_key, lock_keys, hold_on_failure,
        run_at, wait_kind, lease_owner, fencing_token, created_at, updated_at, finished_at, lock_blocked
        """

    static let stepColumns = """
        saga_id, step_idx, step_name, status, output::text AS output, error, attempts, polls, compensation_attempts,
        started_at, finished_at, compensated_at
        """

    static func decodeSaga(_ row: PostgresRow) throws -> SagaRecord {
        let r = row.makeRandomAccess()
        guard let kind = SagaKind(rawValue: try r["kind"].decode(String.self)) else { throw corrupt("unknown saga kind") }
        guard let status = SagaStatus(rawValue: try r["status"].decode(String.self)) else { throw corrupt("unknown saga status") }
        return SagaRecord(
            id: try r["id"].decode(UUID.self), kind: kind, template: try r["template"].decode(String.self),
            stepNames: try r["step_names"].decode([String].self),
            inputs: try JSONValue.decodeObject(try r["inputs"].decode(String.self)),
            context: try JSONValue.decodeObject(try r["context"].decode(String.self)), status: status,
            currentStep: try r["current_step"].decode(Int.self), cancelRequested: try r["cancel_requested"].decode(Bool.self),
            error: try r["error"].decode(String?.self), deploymentID: try r["deployment_id"].decode(String?.self),
            tenantID: try r["tenant_id"].decode(String?.self), triggeredBy: try r["triggered_by"].decode(String?.self),
            idempotencyKey: try r["idempotency_key"].decode(String?.self), lockKeys: try r["lock_keys"].decode([String].self),
            runAt: try r["run_at"].decode(Date.self),
            waitKind: try r["wait_kind"].decode(String?.self).flatMap(WaitKind.init(rawValue:)),
            leaseOwner: try r["lease_owner"].decode(String?.self), fencingToken: try r["fencing_token"].decode(Int64.self),
            holdOnFailure: try r["hold_on_failure"].decode(Bool.self), createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self), finishedAt: try r["finished_at"].decode(Date?.self),
            lockBlocked: try r["lock_blocked"].decode(Bool.self))
    }

    static func decodeStep(_ row: PostgresRow) throws -> StepRecord {
        let r = row.makeRandomAccess()
        guard let status = StepStatus(rawValue: try r["status"].decode(String.self)) else { throw corrupt("unknown step status") }
        return StepRecord(
            sagaID: try r["saga_id"].decode(UUID.self), index: try r["step_idx"].decode(Int.self),
            name: try r["step_name"].decode(String.self), status: status,
            output: try r["output"].decode(String?.self).map(JSONValue.decodeObject), error: try r["error"].decode(String?.self),
            attempts: try r["attempts"].decode(Int.self), polls: try r["polls"].decode(Int.self),
            compensationAttempts: try r["compensation_attempts"].decode(Int.self),
            startedAt: try r["started_at"].decode(Date?.self), finishedAt: try r["finished_at"].decode(Date?.self),
            compensatedAt: try r["compensated_at"].decode(Date?.self))
    }

    static func corrupt(_ message: String) -> StorageError { StorageError(.corrupt, message) }
}
