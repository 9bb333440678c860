public import Foundation
public import SagaEngine

/// Suspends, resumes and offboards tenants through sagas, and keeps the statuses of tenants and
/// deployments following the outcomes of those sagas: a deployment's status is what its latest
/// completed lifecycle saga made it (a saga that rolled back or failed changes nothing), and a
/// tenant is `offboarded` once every deployment is, `suspended` once every live one is, `active`
/// otherwise. The statuses are worked out again from the sagas whenever asked (``refresh(tenantID:)``),
/// so a worker dying, another process running the saga or a lost event cannot leave them wrong.
public struct TenantLifecycle: Sendable {
    let billing: any BillingStore
    let engine: SagaEngine

    /// A lifecycle over the billing store and the engine (one database).
    public init(billing: any BillingStore, engine: SagaEngine) {
        self.billing = billing
        self.engine = engine
    }

    /// Starts `action`'s saga for each deployment it applies to (suspend: active ones; resume:
    /// suspended ones; offboard: every one not offboarded). A deployment whose saga for the same
    /// action is still running gets no second one. Answers the sagas, started or already running.
    public func start(_ action: TenantAction, tenantID: String, triggeredBy: String) async throws -> [SagaRecord] {
        // Decide on statuses brought up to date first: an offboarding that finished while nobody
        // looked has ended its deployments, and nothing may be started on them.
        let tenant = try await refresh(tenantID: tenantID)
        // Offboarding an offboarded tenant is done already; nothing else can be done to it.
        if tenant.status == .offboarded, action == .offboard { return [] }
        guard tenant.status != .offboarded else {
            throw BillingError(.finalized, "tenant \(tenantID) is offboarded; nothing more can be done to it")
        }
        var sagas: [SagaRecord] = []
        for deployment in try await billing.deployments(tenantID: tenantID) where applies(action, to: deployment.status) {
            let newest = try await latest(of: deployment.id)
            if let newest, !newest.status.isTerminal {
                // The same action already under way is that action; another one must end first
                // (a resume queued behind an offboard would bring a destroyed deployment back).
                guard newest.template == action.template else {
                    throw BillingError(
                        .busy,
                        "deployment \(deployment.id) is still running \(newest.template) (saga \(newest.id.uuidString.lowercased())); try again when it ends"
                    )
                }
                sagas.append(newest)
                continue
            }
            // A lifecycle saga that completed since the statuses were read (the newest one, then)
            // decides where the deployment is now.
            if let newest, newest.status == .completed, let decided = TenantAction(template: newest.template), !applies(action, to: decided.outcome) {
                continue
            }
            // Keyed by what came before: two requests at once start one saga.
            let key =
                "\(SagaEngine.StartOptions.reservedKeyPrefix)\(action.rawValue):\(deployment.id):after:\(newest?.id.uuidString.lowercased() ?? "none")"
            // A tenant that leaves leaves nothing behind: no last snapshots either.
            var inputs: [String: JSONValue] = ["deployment_id": .string(deployment.id)]
            if action == .offboard { inputs["keep_snapshots"] = .bool(false) }
            let (saga, _) = try await engine.start(
                action.template, inputs: inputs,
                options: .init(idempotencyKey: key, deploymentID: deployment.id, tenantID: tenantID, triggeredBy: triggeredBy))
            sagas.append(saga)
        }
        if sagas.isEmpty { _ = try await refresh(tenantID: tenantID, after: action) }
        return sagas
    }

    /// Works out the statuses of the tenant's deployments and of the tenant from their latest
    /// lifecycle sagas, stores what changed, and answers the tenant.
    @discardableResult
    public func refresh(tenantID: String) async throws -> Tenant { try await refresh(tenantID: tenantID, after: nil) }

    private func refresh(tenantID: String, after requested: TenantAction?) async throws -> Tenant {
        guard var tenant = try await billing.tenant(id: tenantID) else { throw BillingError(.notFound, "no tenant '\(tenantID)'") }
        var deployments = try await billing.deployments(tenantID: tenantID)
        for index in deployments.indices {
            let deployment = deployments[index]
            // Offboarded is final; otherwise the newest lifecycle saga that completed decides.
            guard deployment.status != .offboarded, let saga = try await latestCompleted(of: deployment.id),
                let action = TenantAction(template: saga.template)
            else { continue }
            let status = action.outcome
            guard status != deployment.status else { continue }
            let ended = status == .offboarded ? saga.finishedAt ?? Date() : deployment.endedAt
            _ = try await billing.setDeploymentStatus(id: deployment.id, status: status, endedAt: ended)
            deployments[index].status = status
            deployments[index].endedAt = ended
        }
        let status: Tenant.Status
        let live = deployments.filter { $0.status != .offboarded }
        if deployments.isEmpty {
            // Nothing to run sagas on: the request itself decides.
            status =
                switch requested {
                case .suspend?: .suspended
                case .resume?: .active
                case .offboard?: .offboarded
                case nil: tenant.status
                }
        } else if live.isEmpty {
            status = .offboarded
        } else if live.allSatisfy({ $0.status == .suspended }) {
            status = .suspended
        } else {
            status = .active
        }
        if status != tenant.status {
            _ = try await billing.setTenantStatus(id: tenantID, status: status)
            tenant.status = status
        }
        return tenant
    }

    /// The newest lifecycle saga of a deployment, however many other sagas it has had since.
    public func latest(of deploymentID: String) async throws -> SagaRecord? {
        try await newest(of: deploymentID, status: nil)
    }

    /// The lifecycle saga of a deployment that decides its status: a completed offboarding (it
    /// is final, whatever completed after it), else the newest that completed.
    func latestCompleted(of deploymentID: String) async throws -> SagaRecord? {
        let offboarding = SagaFilter(status: .completed, template: TenantAction.offboard.template, deploymentID: deploymentID, limit: 1)
        if let offboarded = try await engine.list(offboarding).first { return offboarded }
        return try await newest(of: deploymentID, status: .completed)
    }

    /// The newest of each lifecycle template's newest saga (one indexed query per template).
    private func newest(of deploymentID: String, status: SagaStatus?) async throws -> SagaRecord? {
        var newest: SagaRecord?
        for action in TenantAction.allCases {
            let filter = SagaFilter(status: status, template: action.template, deploymentID: deploymentID, limit: 1)
            guard let saga = try await engine.list(filter).first else { continue }
            if newest.map({ saga.createdAt > $0.createdAt }) ?? true { newest = saga }
        }
        return newest
    }

    func applies(_ action: TenantAction, to status: Deployment.Status) -> Bool {
        switch action {
        case .suspend: status == .active
        case .resume: status == .suspended
        case .offboard: status != .offboarded
        }
    }
}
