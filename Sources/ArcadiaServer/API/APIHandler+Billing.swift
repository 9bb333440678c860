import AccessControl
import ArcadiaStorage
import Billing
package import Foundation
package import OpenAPIRuntime
import SagaEngine

/// The billing routes: tenants (with their lifecycle sagas), deployments, rate cards, invoices
/// and the margin. Admins change; readers read; a tenant token reads only its own tenant.
extension APIHandler {
    var lifecycle: TenantLifecycle { TenantLifecycle(billing: store, engine: engine) }
    var invoicing: InvoiceService {
        let lifecycle = self.lifecycle
        return InvoiceService(
            billing: store, inventory: store, now: { [engine] in engine.clock.now }, refresh: { _ = try await lifecycle.refresh(tenantID: $0) })
    }

    func listTenants(_ input: Operations.ListTenants.Input) async throws -> Operations.ListTenants.Output {
        let token = try AuthenticatedToken.require()
        let ids: [String]
        if token.role == .tenant, let own = token.tenantID {
            ids = try await store.tenant(id: own) == nil ? [] : [own]
        } else {
            _ = try AuthenticatedToken.require(.read)
            ids = try await store.tenants().map(\.id)
        }
        var tenants: [[String: Any]] = []
        for id in ids { tenants.append(BillingJSON.tenant(try await billing { try await lifecycle.refresh(tenantID: id) })) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(["tenants": tenants])))))
    }

    func createTenant(_ input: Operations.CreateTenant.Input) async throws -> Operations.CreateTenant.Output {
        _ = try AuthenticatedToken.require(.administer)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let tenant = Tenant(
            id: body.id, name: body.name, billingEmail: body.billingEmail, currency: body.currency ?? "USD", createdAt: engine.clock.now)
        try await billing {
            try BillingValidation.tenant(tenant)
            try await store.insertTenant(tenant)
        }
        return .created(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.tenant(tenant))))))
    }

    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output {
        _ = try AuthenticatedToken.requireTenant(input.path.tenant)
        let tenant = try await billing { try await lifecycle.refresh(tenantID: input.path.tenant) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.tenant(tenant))))))
    }

    func suspendTenant(_ input: Operations.SuspendTenant.Input) async throws -> Operations.SuspendTenant.Output {
        .ok(.init(body: .json(try await act(.suspend, input.path.tenant))))
    }

    func resumeTenant(_ input: Operations.ResumeTenant.Input) async throws -> Operations.ResumeTenant.Output {
        .ok(.init(body: .json(try await act(.resume, input.path.tenant))))
    }

    func offboardTenant(_ input: Operations.OffboardTenant.Input) async throws -> Operations.OffboardTenant.Output {
        .ok(.init(body: .json(try await act(.offboard, input.path.tenant))))
    }

    private func act(_ action: TenantAction, _ tenantID: String) async throws -> Components.Schemas.TenantAction {
        _ = try AuthenticatedToken.require(.administer)
        let (sagas, tenant) = try await billing {
            let sagas = try await lifecycle.start(action, tenantID: tenantID, triggeredBy: "api")
            return (sagas, try await lifecycle.refresh(tenantID: tenantID))
        }
        return Components.Schemas.TenantAction(
            tenant: try Self.decode(BillingJSON.text(BillingJSON.tenant(tenant))), sagas: try sagas.map { try Self.schema(SagaJSON($0)) })
    }

    func listDeployments(_ input: Operations.ListDeployments.Input) async throws -> Operations.ListDeployments.Output {
        let tenant = try Self.scope(input.query.tenant)
        let deployments = try await store.deployments(tenantID: tenant)
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(["deployments": deployments.map(BillingJSON.deployment)])))))
    }

    func createDeployment(_ input: Operations.CreateDeployment.Input) async throws -> Operations.CreateDeployment.Output {
        _ = try AuthenticatedToken.require(.administer)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let deployment = Deployment(
            id: body.id, tenantID: body.tenantId, name: body.name ?? body.id, region: body.region, plan: body.plan,
            createdAt: body.createdAt ?? engine.clock.now)
        try await billing {
            try BillingValidation.deployment(deployment)
            try await store.insertDeployment(deployment)
        }
        return .created(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.deployment(deployment))))))
    }

    func listRateCards(_ input: Operations.ListRateCards.Input) async throws -> Operations.ListRateCards.Output {
        _ = try AuthenticatedToken.require(.read)
        let cards = try await store.rateCards()
        return .ok(.init(body: .json(.init(rateCards: try cards.map { try Self.rateCardSchema($0) }))))
    }

    func createRateCard(_ input: Operations.CreateRateCard.Input) async throws -> Operations.CreateRateCard.Output {
        _ = try AuthenticatedToken.require(.administer)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let card: RateCard
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            card = try decoder.decode(RateCard.self, from: JSONEncoder.billing.encode(body))
        } catch {
            throw APIError(
                422, "invalid_rate_card",
                "the rate card does not read: prices are decimal strings, rates {\"hourly\": {...}} or {\"markup\": \"0.25\"}")
        }
        try await billing { try await store.insertRateCard(card) }
        return .created(.init(body: .json(try Self.rateCardSchema(card))))
    }

    func listInvoices(_ input: Operations.ListInvoices.Input) async throws -> Operations.ListInvoices.Output {
        let tenant = try Self.scope(input.query.tenant)
        let invoices = try await store.invoices(tenantID: tenant)
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(["invoices": invoices.map(BillingJSON.invoice)])))))
    }

    func generateInvoice(_ input: Operations.GenerateInvoice.Input) async throws -> Operations.GenerateInvoice.Output {
        _ = try AuthenticatedToken.require(.administer)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the body must be JSON") }
        let period = try Self.period(body.period)
        let invoice = try await billing { try await invoicing.generate(tenantID: body.tenantId, period: period) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.invoice(invoice))))))
    }

    func getInvoice(_ input: Operations.GetInvoice.Input) async throws -> Operations.GetInvoice.Output {
        _ = try AuthenticatedToken.requireTenant(input.path.tenant)
        let period = try Self.period(input.path.period)
        guard let invoice = try await store.invoice(tenantID: input.path.tenant, period: period) else {
            throw APIError.notFound("no invoice of \(input.path.tenant.prefix(64)) for \(period)")
        }
        if input.query.format == .csv { return .ok(.init(body: .csv(HTTPBody(BillingJSON.csv(invoice))))) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.invoice(invoice))))))
    }

    func finalizeInvoice(_ input: Operations.FinalizeInvoice.Input) async throws -> Operations.FinalizeInvoice.Output {
        _ = try AuthenticatedToken.require(.administer)
        let period = try Self.period(input.path.period)
        let invoice = try await billing { try await invoicing.finalize(tenantID: input.path.tenant, period: period) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(BillingJSON.invoice(invoice))))))
    }

    func getMargin(_ input: Operations.GetMargin.Input) async throws -> Operations.GetMargin.Output {
        _ = try AuthenticatedToken.require(.read)
        let period = try Self.period(input.query.period)
        let rows = try await billing { try await invoicing.margin(period: period) }
        return .ok(.init(body: .json(try Self.decode(BillingJSON.text(["rows": rows.map(BillingJSON.margin)])))))
    }

    /// Runs billing work; its ``BillingError``s become API errors.
    private func billing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BillingError {
            throw BillingAPIError.from(error)
        } catch let error as EngineError where error.code == .unknownTemplate {
            throw APIError(503, "missing_template", "this server cannot run the lifecycle sagas: \(error.message)")
        } catch let error as EngineError where error.code == .idempotencyConflict {
            throw APIError(409, error.code.description, error.message)
        }
    }

    /// The tenant a list is limited to: a tenant token's own (another asked for: 403), else the
    /// filter as given for readers.
    static func scope(_ asked: String?) throws -> String? {
        let token = try AuthenticatedToken.require()
        if token.role == .tenant {
            guard let own = token.tenantID, asked == nil || asked == own else { throw APIError.forbidden("a tenant token sees only its own tenant") }
            return own
        }
        _ = try AuthenticatedToken.require(.read)
        return asked
    }

    static func period(_ text: String) throws -> BillingPeriod {
        guard let period = BillingPeriod(text) else { throw APIError.badRequest("period '\(text.prefix(32))' is not a month; use YYYY-MM") }
        return period
    }

    static func rateCardSchema(_ card: RateCard) throws -> Components.Schemas.RateCard {
        try decode(String(decoding: try JSONEncoder.billing.encode(card), as: UTF8.self))
    }
}

extension JSONEncoder {
    /// ISO 8601 dates, as the API answers them.
    static var billing: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
