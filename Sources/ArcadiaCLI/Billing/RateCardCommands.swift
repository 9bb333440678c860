import ArcadiaServer
import ArgumentParser
import Billing
import Foundation

/// `arcadia ratecard …`: versioned prices.
struct RateCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratecard", abstract: "Add and list rate cards (versioned prices, each in force from its date).",
        subcommands: [RateCardAddCommand.self, RateCardListCommand.self])
}

/// `arcadia ratecard add --file card.json`.
struct RateCardAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a rate card from a JSON file.",
        discussion: """
            The file: {"name": "2027", "currency": "USD", "effective_from": "2027-01-01T00:00:00Z",
            "plan_fees": {"standard": "30"}, "rates": {"droplet": {"hourly": {"s-1vcpu-1gb": "0.0357", "*": "0.05"}},
            "volume": {"markup": "0.25"}}, "snapshot_per_gb_month": "0.10"}. Prices are decimal strings. A card takes
            effect at its date and stays in force until the next card's; invoices already made do not change.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The JSON file (- for standard input).")
    var file: String

    @Flag(help: "Print the card as JSON.")
    var json = false

    func run() async throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ValidationError("cannot read --file '\(file)': \(error.localizedDescription)")
        }
        guard data.count <= 1 << 20 else { throw ValidationError("--file '\(file)' is over 1 MiB") }
        let card = try Self.parse(data)
        try await BillingStoreAccess.run(database) { store in try await store.insertRateCard(card) }
        if json {
            print(String(decoding: try Self.encoder.encode(card), as: UTF8.self))
        } else {
            print("rate card \(card.name) added, in force from \(BillingPeriod.iso(card.effectiveFrom))")
        }
    }

    /// The card a file describes, or an error naming what is wrong in it.
    static func parse(_ data: Data) throws -> RateCard {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(RateCard.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ValidationError("the rate card has no '\(key.stringValue)'")
        } catch let DecodingError.dataCorrupted(context) {
            throw ValidationError("the rate card is not valid JSON or has a bad value: \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ValidationError("the rate card's '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw ValidationError("the rate card does not read: \(error)")
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }
}

/// `arcadia ratecard list`.
struct RateCardListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List rate cards, oldest first.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let cards = try await BillingStoreAccess.run(database) { store in try await store.rateCards() }
        if json { return print(String(decoding: try RateCardAddCommand.encoder.encode(cards), as: UTF8.self)) }
        guard !cards.isEmpty else { return print("no rate cards") }
        for card in cards {
            let rates = card.rates.keys.sorted().map { kind -> String in
                switch card.rates[kind] {
                case .hourly(let prices)?: "\(kind) " + prices.keys.sorted().map { "\($0)=\(prices[$0] ?? 0)/h" }.joined(separator: " ")
                case .markup(let markup)?: "\(kind) DigitalOcean +\(markup * 100)%"
                case nil: kind
                }
            }
            print("\(card.name) (\(card.currency)) from \(BillingPeriod.iso(card.effectiveFrom))")
            print("  plans: " + card.planFees.keys.sorted().map { "\($0)=\(card.planFees[$0] ?? 0)/month" }.joined(separator: " "))
            for rate in rates { print("  \(rate)") }
            if let snapshot = card.snapshotPerGBMonth { print("  snapshots \(snapshot)/GB-month") }
        }
    }
}
