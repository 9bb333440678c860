import Foundation

/// `/v2/account`, `/v2/sizes`, `/v2/regions` and the billing reads. Billing figures are the
/// spec's examples; the invoice preview adds what the account's droplets have cost so far.
extension World {
    func getAccount(_ request: SimRequest) -> SimResponse {
        SimResponse(
            status: 200,
            body: .object([
                (
                    "account",
                    .object([
                        ("droplet_limit", .int(settings.dropletLimit)), ("floating_ip_limit", .int(5)), ("reserved_ip_limit", .int(5)),
                        ("volume_limit", .int(100)), ("email", .string("sammy@digitalocean.com")), ("name", .string("Sammy the Shark")),
                        ("uuid", .string("b6fr89dbf6d9156cace5f3c78dc9851d957381ef")), ("email_verified", .bool(true)), ("status", .string("active")),
                        ("status_message", .string("")),
                        ("team", .object([("uuid", .string("5df3e3004a17e242b7c20ca6c9fc25b701a47ece")), ("name", .string("My Team"))])),
                    ])
                )
            ]))
    }

    func listSizes(_ request: SimRequest) -> SimResponse {
        page(Catalog.sizes.map(Catalog.sizeJSON), key: "sizes", request: request)
    }

    func listRegions(_ request: SimRequest) -> SimResponse {
        page(Catalog.regions.map { Catalog.regionJSON($0.slug) }, key: "regions", request: request)
    }

    /// Month-to-date usage: every droplet's hourly price times the hours it has existed this month.
    func monthToDateUsage(now: Date) -> Decimal {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let monthStart = calendar.dateInterval(of: .month, for: now)?.start ?? now
        var total = Decimal(0)
        for droplet in droplets.values {
            let start = max(droplet.createdAt, monthStart)
            let end = min(droplet.deletedAt ?? now, now)
            guard end > start, let size = Catalog.size(droplet.sizeSlug), let hourly = Decimal(string: size.priceHourly) else { continue }
            let hours = Decimal((end.timeIntervalSince(start) / 3600).rounded(.up))
            total += min(hours * hourly, Decimal(string: size.priceMonthly) ?? 0)
        }
        var rounded = Decimal()
        var value = total
        NSDecimalRound(&rounded, &value, 2, .plain)
        return rounded
    }

    func getBalance(_ request: SimRequest) -> SimResponse {
        let usage = monthToDateUsage(now: request.now)
        return SimResponse(
            status: 200,
            body: .object([
                ("month_to_date_balance", .string("\(usage)")), ("account_balance", .string("0.00")), ("month_to_date_usage", .string("\(usage)")),
                ("generated_at", .string(SimFormat.date(request.now))),
            ]))
    }

    func listBillingHistory(_ request: SimRequest) -> SimResponse {
        let items: [JSON] = [
            .object([
                ("description", .string("Invoice for May 2018")), ("amount", .string("12.34")), ("invoice_id", .string("123")),
                ("invoice_uuid", .string("example-uuid")), ("date", .string("2018-06-01T08:44:38Z")), ("type", .string("Invoice")),
            ]),
            .object([
                ("description", .string("Payment (MC 2018)")), ("amount", .string("-12.34")), ("date", .string("2018-06-02T08:44:38Z")),
                ("type", .string("Payment")),
            ]),
        ]
        return page(items, key: "billing_history", request: request)
    }

    func listInvoices(_ request: SimRequest) -> SimResponse {
        let invoices: [JSON] = [
            .object([
                ("invoice_uuid", .string("22737513-0ea7-4206-8ceb-98a575af7681")), ("invoice_id", .string("22737513")),
                ("amount", .string("12.34")), ("invoice_period", .string("2019-12")), ("updated_at", .string("2020-01-23T06:31:50Z")),
            ])
        ]
        let preview: JSON = .object([
            ("invoice_uuid", .string("preview")), ("invoice_id", .string("preview")),
            ("amount", .string("\(monthToDateUsage(now: request.now))")), ("invoice_period", .string(String(SimFormat.date(request.now).prefix(7)))),
            ("updated_at", .string(SimFormat.date(request.now))),
        ])
        return page(invoices, key: "invoices", request: request, extra: [("invoice_preview", preview)])
    }

    func listInvoiceItems(_ request: SimRequest) throws -> SimResponse {
        let uuid = request.segments[4]
        var items: [JSON] = []
        if uuid == "22737513-0ea7-4206-8ceb-98a575af7681" {
            items = [
                .object([
                    ("product", .string("Droplets")), ("resource_uuid", .string("711157cb-37c8-4817-b371-44fa3504a39c")),
                    ("resource_id", .string("2353624")), ("group_description", .string("")),
                    ("description", .string("a56e086a317d8410c8b4cfd1f4dc9f82")),
                    ("amount", .string("12.34")), ("duration", .string("744")), ("duration_unit", .string("Hours")),
                    ("start_time", .string("2020-01-01T00:00:00Z")), ("end_time", .string("2020-02-01T00:00:00Z")), ("project_name", .string("web")),
                ])
            ]
        } else if uuid == "preview" {
            items = droplets.values.sorted { $0.id < $1.id }.map { droplet in
                .object([
                    ("product", .string("Droplets")), ("resource_uuid", .string(droplet.vpcUUID)), ("resource_id", .string(String(droplet.id))),
                    ("group_description", .string("")), ("description", .string("\(droplet.name) (\(droplet.sizeSlug))")),
                    ("amount", .string("0.00")), ("duration", .string("0")), ("duration_unit", .string("Hours")),
                    ("start_time", .string(SimFormat.date(droplet.createdAt))),
                    ("end_time", .string(SimFormat.date(droplet.deletedAt ?? request.now))),
                    ("project_name", .string("default")),
                ])
            }
        } else if extraInvoiceItems[uuid] == nil {
            throw APIFailure.notFound()
        }
        return page(items + (extraInvoiceItems[uuid] ?? []), key: "invoice_items", request: request)
    }
}
