import AccessControl
import Billing
import Foundation
import HTTPTypes
import Hummingbird
import SagaEngine

/// The dashboard's billing pages: tenants with their deployments, lifecycle actions and
/// invoices; an invoice with its lines (CSV too); the margin. A tenant token sees only its own
/// tenant and invoices.
extension Dashboard {
    var lifecycle: TenantLifecycle { TenantLifecycle(billing: store, engine: engine) }
    var invoicing: InvoiceService {
        let lifecycle = self.lifecycle
        return InvoiceService(
            billing: store, inventory: store, now: { [engine] in engine.clock.now }, refresh: { _ = try await lifecycle.refresh(tenantID: $0) })
    }

    func registerBilling(on router: Router<Context>) {
        router.get("/ui/tenants") { request, _ in try await page(request) { try await tenantsPage(session: $0) } }
        router.get("/ui/tenants/:tenant") { request, context in
            let tenant = context.parameters.get("tenant") ?? ""
            return try await tenantScoped(request, tenant) { try await tenantPage(tenant, session: $0) }
        }
        router.post("/ui/tenants/:tenant/:action") { request, context in
            try await form(request, permission: .administer) { _, session in
                let tenant = context.parameters.get("tenant") ?? ""
                guard let action = context.parameters.get("action").flatMap(TenantAction.init(rawValue:)) else {
                    return failure(APIError.notFound("no such action"), session: session, back: "/ui/tenants")
                }
                do {
                    _ = try await lifecycle.start(action, tenantID: tenant, triggeredBy: "dashboard")
                    return Self.redirect("/ui/tenants/\(tenant)")
                } catch let error as BillingError {
                    return failure(BillingAPIError.from(error), session: session, back: "/ui/tenants/\(tenant)")
                } catch let error as EngineError where error.code == .unknownTemplate {
                    return failure(APIError(503, "missing_template", error.message), session: session, back: "/ui/tenants/\(tenant)")
                } catch let error as EngineError where error.code == .idempotencyConflict {
                    return failure(APIError(409, error.code.description, error.message), session: session, back: "/ui/tenants/\(tenant)")
                }
            }
        }
        router.post("/ui/invoices/generate") { request, _ in
            try await form(request, permission: .administer) { fields, session in
                let tenant = fields["tenant"] ?? ""
                guard let period = BillingPeriod(fields["period"] ?? "") else {
                    return failure(APIError.badRequest("the period must be YYYY-MM"), session: session, back: "/ui/tenants/\(tenant)")
                }
                do {
                    _ = try await invoicing.generate(tenantID: tenant, period: period)
                    return Self.redirect("/ui/invoices/\(tenant)/\(period)")
                } catch let error as BillingError {
                    return failure(BillingAPIError.from(error), session: session, back: "/ui/tenants/\(tenant)")
                }
            }
        }
        router.get("/ui/invoices/:tenant/:period") { request, context in
            let tenant = context.parameters.get("tenant") ?? ""
            return try await tenantScoped(request, tenant) {
                try await invoicePage(tenant, context.parameters.get("period") ?? "", request, session: $0)
            }
        }
        router.post("/ui/invoices/:tenant/:period/finalize") { request, context in
            try await form(request, permission: .administer) { _, session in
                let tenant = context.parameters.get("tenant") ?? ""
                let back = "/ui/invoices/\(tenant)/\(context.parameters.get("period") ?? "")"
                guard let period = BillingPeriod(context.parameters.get("period") ?? "") else {
                    return failure(APIError.badRequest("the period must be YYYY-MM"), session: session, back: "/ui/tenants/\(tenant)")
                }
                do {
                    _ = try await invoicing.finalize(tenantID: tenant, period: period)
                    return Self.redirect(back)
                } catch let error as BillingError {
                    return failure(BillingAPIError.from(error), session: session, back: back)
                }
            }
        }
        router.get("/ui/margin") { request, _ in try await page(request) { try await marginPage(request, session: $0) } }
    }

    /// A page of one tenant's data: readers, or a tenant token of that tenant.
    private func tenantScoped(
        _ request: Request, _ tenant: String, _ build: (DashboardSession) async throws -> Response
    ) async throws -> Response {
        guard let session = try await session(request) else { return Self.redirect("/ui/login") }
        guard session.token.allows(.read) || session.token.allows(.readOwnTenant, tenant: tenant) else {
            return render(
                "error", title: "Refused", session: session, status: .forbidden,
                ["heading": "Refused", "message": "a tenant token sees only its own tenant", "back": "/ui/login"])
        }
        return try await build(session)
    }

    private func tenantsPage(session: DashboardSession) async throws -> Response {
        var rows: [[String: Any]] = []
        for tenant in try await store.tenants() {
            let current = try await lifecycle.refresh(tenantID: tenant.id)
            rows.append([
                "id": current.id, "name": current.name, "status": current.status.rawValue, "currency": current.currency,
                "email": current.billingEmail,
            ])
        }
        return render("tenants", title: "Tenants", session: session, ["tenants": rows])
    }

    private func tenantPage(_ id: String, session: DashboardSession) async throws -> Response {
        let tenant: Tenant
        do {
            tenant = try await lifecycle.refresh(tenantID: id)
        } catch let error as BillingError {
            return failure(BillingAPIError.from(error), session: session, back: "/ui/tenants")
        }
        var deployments: [[String: Any]] = []
        var settled = true
        for deployment in try await store.deployments(tenantID: id) {
            var row: [String: Any] = [
                "id": deployment.id, "plan": deployment.plan, "region": deployment.region, "status": deployment.status.rawValue,
                "created": DashboardViews.time(deployment.createdAt), "ended": DashboardViews.time(deployment.endedAt),
            ]
            if let saga = try await lifecycle.latest(of: deployment.id) {
                row["saga"] = saga.id.uuidString.lowercased()
                row["template"] = saga.template
                row["sagaStatus"] = saga.status.rawValue
                settled = settled && saga.status.isTerminal
            }
            deployments.append(row)
        }
        let invoices: [[String: Any]] = try await store.invoices(tenantID: id).map {
            [
                "tenant": $0.tenantID, "period": $0.period.description, "number": $0.number.map(String.init) ?? "", "status": $0.status.rawValue,
                "total": BillingJSON.money($0.total), "currency": $0.currency,
            ]
        }
        var actions: [[String: Any]] = []
        if tenant.status != .offboarded {
            if tenant.status == .active { actions.append(["action": "suspend", "label": "Suspend (power off)"]) }
            if tenant.status == .suspended { actions.append(["action": "resume", "label": "Resume (power on)"]) }
            actions.append(["action": "offboard", "label": "Offboard (destroy everything, keep nothing)"])
        }
        return render(
            "tenant", title: tenant.name, session: session,
            [
                "id": tenant.id, "name": tenant.name, "email": tenant.billingEmail, "currency": tenant.currency, "status": tenant.status.rawValue,
                "deployments": deployments, "invoices": invoices, "settled": settled, "canAdminister": session.token.allows(.administer),
                "actions": actions.map { $0.merging(["id": tenant.id]) { first, _ in first } },
                "currentPeriod": BillingPeriod(containing: engine.clock.now).description,
            ])
    }

    private func invoicePage(_ tenant: String, _ periodText: String, _ request: Request, session: DashboardSession) async throws -> Response {
        guard let period = BillingPeriod(periodText) else {
            return failure(APIError.badRequest("the period must be YYYY-MM"), session: session, back: "/ui/tenants/\(tenant)")
        }
        guard let invoice = try await store.invoice(tenantID: tenant, period: period) else {
            return failure(APIError.notFound("no invoice of \(tenant) for \(period)"), session: session, back: "/ui/tenants/\(tenant)")
        }
        if request.uri.queryParameters["format"] == "csv" {
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"invoice-\(tenant)-\(period).csv\"",
                    .cacheControl: "no-store",
                ],
                body: .init(byteBuffer: ByteBuffer(string: BillingJSON.csv(invoice))))
        }
        let lines: [[String: Any]] = invoice.lines.map { line in
            [
                "deployment": line.deploymentID, "what": line.category == .baseFee ? "base fee" : "\(line.kind ?? "") \(line.name)",
                "size": line.size ?? "", "from": DashboardViews.time(line.from), "to": DashboardViews.time(line.to),
                "quantity": BillingJSON.quantity(line.quantity), "unit": line.unit, "unitPrice": "\(line.unitPrice)",
                "amount": BillingJSON.money(line.amount), "card": line.rateCard, "note": line.note ?? "",
            ]
        }
        return render(
            "invoice", title: "Invoice \(tenant) \(period)", session: session,
            [
                "tenant": tenant, "period": period.description, "number": invoice.number.map(String.init) ?? "", "status": invoice.status.rawValue,
                "total": BillingJSON.money(invoice.total), "currency": invoice.currency, "lines": lines,
                "canFinalize": invoice.status == .draft && session.token.allows(.administer),
            ])
    }

    private func marginPage(_ request: Request, session: DashboardSession) async throws -> Response {
        let text = request.uri.queryParameters["period"].map(String.init) ?? BillingPeriod(containing: engine.clock.now).description
        guard let period = BillingPeriod(text) else {
            return failure(APIError.badRequest("the period must be YYYY-MM"), session: session, back: "/ui/margin")
        }
        let rows: [[String: Any]] = try await invoicing.margin(period: period).map {
            [
                "tenant": $0.tenantID, "deployment": $0.deploymentID, "invoiced": BillingJSON.money($0.invoiced),
                "cost": BillingJSON.money($0.providerCost) + " " + MarginRow.providerCurrency,
                "margin": $0.margin.map(BillingJSON.money) ?? "— (\($0.currency) against USD)",
                "status": $0.invoiceStatus.rawValue,
            ]
        }
        return render("margin", title: "Margin", session: session, ["period": period.description, "rows": rows])
    }
}
