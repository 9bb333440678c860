import Foundation

/// `/v2/account`, `/v2/sizes`, `/v2/regions` and the billing reads, computed from the account's
/// resources on the simulator's clock (``World/billingLines(monthStart:now:)``).
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

    /// Month-to-date usage: the lines of the month in progress.
    func monthToDateUsage(now: Date) -> Decimal {
        Self.total(billingLines(monthStart: Self.month(of: now).start, now: now))
    }

    /// The invoices of closed months, as (month start, amount).
    func closedInvoices(now: Date) -> [(start: Date, amount: Decimal)] {
        closedMonths(now: now).map { ($0, Self.total(billingLines(monthStart: $0, now: now))) }
    }

    /// An invoice is issued on the first of the next month at 08:00 and paid the next day.
    static func issued(_ monthStart: Date) -> Date { month(of: monthStart).end.addingTimeInterval(8 * 3600) }
    static func paid(_ monthStart: Date) -> Date { issued(monthStart).addingTimeInterval(86_400) }

    func getBalance(_ request: SimRequest) -> SimResponse {
        let usage = monthToDateUsage(now: request.now)
        // Invoices issued but not paid yet are owed.
        let owed = closedInvoices(now: request.now).filter { Self.issued($0.start) <= request.now && Self.paid($0.start) > request.now }
            .reduce(Decimal(0)) { $0 + $1.amount }
        return SimResponse(
            status: 200,
            body: .object([
                ("month_to_date_balance", .string(Self.text(usage + owed))), ("account_balance", .string(Self.text(owed))),
                ("month_to_date_usage", .string(Self.text(usage))), ("generated_at", .string(SimFormat.date(request.now))),
            ]))
    }

    func listBillingHistory(_ request: SimRequest) -> SimResponse {
        var items: [(Date, JSON)] = []
        for (start, amount) in closedInvoices(now: request.now) {
            let period = Self.period(start)
            if Self.issued(start) <= request.now {
                items.append(
                    (
                        Self.issued(start),
                        .object([
                            ("description", .string("Invoice for \(period)")), ("amount", .string(Self.text(amount))),
                            ("invoice_id", .string(Self.invoiceID(start))), ("invoice_uuid", .string(Self.invoiceUUID(start))),
                            ("date", .string(SimFormat.date(Self.issued(start)))), ("type", .string("Invoice")),
                        ])
                    ))
            }
            if Self.paid(start) <= request.now {
                items.append(
                    (
                        Self.paid(start),
                        .object([
                            ("description", .string("Payment (card)")), ("amount", .string(Self.text(-amount))),
                            ("date", .string(SimFormat.date(Self.paid(start)))), ("type", .string("Payment")),
                        ])
                    ))
            }
        }
        // Newest first, as DigitalOcean lists them.
        return page(items.sorted { $0.0 > $1.0 }.map(\.1), key: "billing_history", request: request)
    }

    func listInvoices(_ request: SimRequest) -> SimResponse {
        let invoices: [JSON] = closedInvoices(now: request.now).filter { Self.issued($0.start) <= request.now }.reversed().map { start, amount in
            .object([
                ("invoice_uuid", .string(Self.invoiceUUID(start))), ("invoice_id", .string(Self.invoiceID(start))),
                ("amount", .string(Self.text(amount))), ("invoice_period", .string(Self.period(start))),
                ("updated_at", .string(SimFormat.date(Self.issued(start)))),
            ])
        }
        let preview: JSON = .object([
            ("invoice_uuid", .string("preview")), ("invoice_id", .string("preview")),
            ("amount", .string(Self.text(monthToDateUsage(now: request.now)))),
            ("invoice_period", .string(Self.period(Self.month(of: request.now).start))), ("updated_at", .string(SimFormat.date(request.now))),
        ])
        return page(invoices, key: "invoices", request: request, extra: [("invoice_preview", preview)])
    }

    /// The month an invoice UUID names (`preview`: the month in progress); nil when none.
    func invoiceMonth(_ uuid: String, now: Date) -> Date? {
        if uuid == "preview" { return Self.month(of: now).start }
        return closedMonths(now: now).first { Self.invoiceUUID($0) == uuid && Self.issued($0) <= now }
    }

    func listInvoiceItems(_ request: SimRequest) throws -> SimResponse {
        let uuid = request.segments[4]
        guard let month = invoiceMonth(uuid, now: request.now) else {
            guard let extra = extraInvoiceItems[uuid] else { throw APIFailure.notFound() }
            return page(extra, key: "invoice_items", request: request)
        }
        let items: [JSON] = billingLines(monthStart: month, now: request.now).map { line in
            .object([
                ("product", .string(line.product)), ("resource_uuid", .string(line.resourceUUID)), ("resource_id", .string(line.resourceID)),
                ("group_description", .string("")), ("description", .string(line.description)), ("amount", .string(Self.text(line.amount))),
                ("duration", .string("\(line.hours)")), ("duration_unit", .string("Hours")), ("start_time", .string(SimFormat.date(line.start))),
                ("end_time", .string(SimFormat.date(line.end))), ("project_name", .string("default")),
            ])
        }
        return page(items + (extraInvoiceItems[uuid] ?? []), key: "invoice_items", request: request)
    }

    func getInvoiceSummary(_ request: SimRequest) throws -> SimResponse {
        let uuid = request.segments[4]
        guard uuid != "preview", let month = invoiceMonth(uuid, now: request.now) else { throw APIFailure.notFound() }
        let lines = billingLines(monthStart: month, now: request.now)
        let byProduct = Dictionary(grouping: lines, by: \.product)
        let items: [JSON] = byProduct.keys.sorted().map { product in
            .object([
                ("amount", .string(Self.text(Self.total(byProduct[product] ?? [])))), ("name", .string(product)),
                ("count", .string(String(byProduct[product]?.count ?? 0))),
            ])
        }
        let total = Self.text(Self.total(lines))
        return SimResponse(
            status: 200,
            body: .object([
                ("invoice_uuid", .string(uuid)), ("invoice_id", .string(Self.invoiceID(month))), ("billing_period", .string(Self.period(month))),
                ("amount", .string(total)), ("user_name", .string("Sammy the Shark")), ("user_email", .string("sammy@digitalocean.com")),
                ("user_company", .string("DigitalOcean")),
                ("product_charges", .object([("name", .string("Product usage charges")), ("amount", .string(total)), ("items", .array(items))])),
                ("overages", .object([("name", .string("Overages")), ("amount", .string("0.00"))])),
                ("taxes", .object([("name", .string("Taxes")), ("amount", .string("0.00"))])),
                ("credits_and_adjustments", .object([("name", .string("Credits & adjustments")), ("amount", .string("0.00"))])),
            ]))
    }
}
