import Billing
import FakeDigitalOcean
import Foundation
import SagaEngine
import Testing

/// Billing from the command line over a synced inventory: tenants, deployments, a rate card, a
/// draft made again in place, a finalized invoice that refuses change, exports, and the margin.
@Suite("Billing CLI", .timeLimit(.minutes(3)))
struct BillingCLITests {
    static func json(_ text: String) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
    }

    @Test("tenant, deployment and rate card in; invoice generate (twice: one draft), finalize (numbered, then immutable), export, margin")
    func invoiceLifecycle() async throws {
        try await CloudHarness.with(.sqlite, startWorker: false) { cloud in
            _ = try await cloud.makeDroplet("acme-web", tags: ["deployment:acme-prod"])
            _ = try await cloud.makeDroplet("unbilled", tags: [])
            try await InventoryTests.settle(cloud)
            let db = ["--database", cloud.databaseURL]
            let environment = ["ARCADIA_DO_API_URL": cloud.simulator.baseURL, "ARCADIA_DO_TOKEN_INVENTORY": CloudHarness.inventoryToken]
            #expect(try await ChildProcess.run(["inventory", "sync"] + db, environment: environment).status == 0)
            let listed = try await ChildProcess.run(["inventory", "list", "--kind", "droplet", "--json"] + db)
            let rows = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(listed.stdout.utf8))
            let web = try #require(rows.first { $0["name"] == "acme-web" })
            #expect(web["deployment_id"] == "acme-prod")
            let period = String(try #require(web["first_seen_at"]?.stringValue).prefix(7))

            #expect(try await ChildProcess.run(["tenant", "create", "acme", "--name", "Acme", "--email", "billing@acme.test"] + db).status == 0)
            let duplicate = try await ChildProcess.run(["tenant", "create", "acme", "--name", "Acme", "--email", "billing@acme.test"] + db)
            #expect(duplicate.status == 75 && duplicate.stderr.contains("exists already"))
            let badEmail = try await ChildProcess.run(["tenant", "create", "beta", "--name", "Beta", "--email", "nope"] + db)
            #expect(badEmail.status == 64 && badEmail.stderr.contains("email"))
            let orphan = try await ChildProcess.run(
                ["deployment", "create", "x", "--tenant", "nobody", "--region", "nyc3", "--plan", "standard"] + db)
            #expect(orphan.status == 66 && orphan.stderr.contains("nobody"))
            // The deployment exists from the start of the month before: a whole month's base fee then.
            let previous = BillingPeriod(period)!.previous.description
            #expect(
                try await ChildProcess.run(
                    [
                        "deployment", "create", "acme-prod", "--tenant", "acme", "--region", "nyc3", "--plan", "standard", "--created-at",
                        "\(previous)-01T00:00:00Z",
                    ]
                        + db
                ).status == 0)

            // Without a rate card in force, nothing is invoiced at no price.
            let noCard = try await ChildProcess.run(["invoice", "generate", "--tenant", "acme", "--period", period] + db)
            #expect(noCard.status == 65 && noCard.stderr.contains("no rate card"), "\(noCard.stderr)")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-card-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: directory) }
            try Data(
                #"{"name": "2020", "effective_from": "2020-01-01T00:00:00Z", "plan_fees": {"standard": "30"}, "rates": {"droplet": {"hourly": {"*": "0.0357"}}}, "snapshot_per_gb_month": "0.10"}"#
                    .utf8
            ).write(to: directory)
            #expect(try await ChildProcess.run(["ratecard", "add", "--file", directory.path] + db).status == 0)
            let badCard = try await ChildProcess.run(["ratecard", "add", "--file", "/nonexistent.json"] + db)
            #expect(badCard.status == 64 && badCard.stderr.contains("cannot read"))

            let first = try Self.json(
                try await ChildProcess.run(["invoice", "generate", "--tenant", "acme", "--period", period, "--json"] + db).stdout)
            let again = try await ChildProcess.run(["invoice", "generate", "--tenant", "acme", "--period", period, "--json"] + db)
            let second = try Self.json(again.stdout)
            #expect(first["id"] == second["id"] && second["status"] == "draft" && second["number"] == .null)
            let lines = try #require(second["lines"]?.arrayValue)
            #expect(lines.contains { $0.objectValue?["category"] == "base_fee" })
            let droplet = try #require(lines.first { $0.objectValue?["name"] == "acme-web" }?.objectValue)
            #expect(droplet["deployment_id"] == "acme-prod" && droplet["unit"] == "hour" && droplet["unit_price"] == "0.0357")
            #expect(!lines.contains { $0.objectValue?["name"] == "unbilled" })

            // The month in progress cannot be finalized; the month before (closed) can, once.
            let early = try await ChildProcess.run(["invoice", "finalize", "--tenant", "acme", "--period", period] + db)
            #expect(early.status == 65 && early.stderr.contains("has not ended"), "\(early.stderr)")
            let closed = try Self.json(
                try await ChildProcess.run(["invoice", "generate", "--tenant", "acme", "--period", previous, "--json"] + db).stdout)
            #expect(closed["total"] == "30.00" && closed["lines"]?.arrayValue?.count == 1)
            let finalized = try await ChildProcess.run(["invoice", "finalize", "--tenant", "acme", "--period", previous, "--json"] + db)
            let final = try Self.json(finalized.stdout)
            #expect(final["number"] == 1 && final["status"] == "finalized" && final["total"] == "30.00", "\(finalized.stderr)")
            let refused = try await ChildProcess.run(["invoice", "generate", "--tenant", "acme", "--period", previous] + db)
            #expect(refused.status == 75 && refused.stderr.contains("finalized"))

            let csv = try await ChildProcess.run(["invoice", "export", "--tenant", "acme", "--period", period, "--format", "csv"] + db)
            let csvLines = csv.stdout.split(separator: "\r\n")
            #expect(csvLines.first?.hasPrefix("invoice,period,deployment_id,category") == true && csvLines.count == lines.count + 2)
            #expect(csvLines.last?.contains(",total,") == true && csvLines.last?.contains(second["total"]?.stringValue ?? "?") == true)
            let exported = try await ChildProcess.run(["invoice", "export", "--tenant", "acme", "--period", previous, "--format", "json"] + db)
            #expect(try Self.json(exported.stdout) == final)
            let missing = try await ChildProcess.run(["invoice", "show", "--tenant", "acme", "--period", "1999-01"] + db)
            #expect(missing.status == 66)
            let badPeriod = try await ChildProcess.run(["invoice", "show", "--tenant", "acme", "--period", "2026-13"] + db)
            #expect(badPeriod.status == 64 && badPeriod.stderr.contains("YYYY-MM"))

            // Margin: the invoice's total minus DigitalOcean's charge for the same resources.
            let margin = try await ChildProcess.run(["billing", "margin", "--period", period, "--json"] + db)
            let row = try #require(try JSONDecoder().decode([[String: JSONValue]].self, from: Data(margin.stdout.utf8)).first)
            let invoiced = try #require(row["invoiced"]?.stringValue.flatMap { Decimal(string: $0) })
            let cost = try #require(row["provider_cost"]?.stringValue.flatMap { Decimal(string: $0) })
            let difference = try #require(row["margin"]?.stringValue.flatMap { Decimal(string: $0) })
            #expect(row["invoiced"] == second["total"] && difference == invoiced - cost && cost > 0)
        }
    }

    @Test("arcadia bench billing prints invoices, line_items and seconds for a month of hourly syncs; every tenant invoiced")
    func benchSmoke() async throws {
        let result = try await ChildProcess.run(["bench", "billing", "--tenants", "12", "--resources", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try Self.json(result.stdout)
        #expect(figures["invoices"] == 12 && figures["seconds"]?.doubleValue != nil && figures["syncs"] == 721)
        // Per tenant: the base fee and one line per droplet (one away for a day is billed for the time present).
        #expect(figures["line_items"] == .int(12 * 4))
    }
}
