public import Foundation

/// The rate cards over time: which one is in force when, and the pieces a stretch of time falls
/// into when a card changes inside it.
public struct RateCardSchedule: Sendable, Hashable {
    /// The cards, oldest first.
    public let cards: [RateCard]

    /// A schedule of `cards` (any order; two cards may not share a date).
    public init(_ cards: [RateCard]) throws {
        self.cards = cards.sorted { $0.effectiveFrom < $1.effectiveFrom }
        for (earlier, later) in zip(self.cards, self.cards.dropFirst()) where earlier.effectiveFrom == later.effectiveFrom {
            throw BillingError(.invalidRateCard, "rate cards '\(earlier.name)' and '\(later.name)' take effect at the same instant")
        }
    }

    /// The card in force at `date`, if any.
    public func card(at date: Date) -> RateCard? { cards.last { $0.effectiveFrom <= date } }

    /// `[from, to)` cut where cards change, each piece with its card; time before the first card
    /// is an error naming the date (nothing is billed at no price silently).
    public func pieces(from: Date, to: Date) throws -> [(card: RateCard, from: Date, to: Date)] {
        guard from < to else { return [] }
        guard let first = card(at: from) else {
            throw BillingError(
                .noRateCard, "no rate card (in the tenant's currency) is in force on \(BillingPeriod.iso(from)); add one that takes effect by then")
        }
        var pieces: [(RateCard, Date, Date)] = []
        var current = first
        var start = from
        for next in cards where next.effectiveFrom > from && next.effectiveFrom < to {
            pieces.append((current, start, next.effectiveFrom))
            current = next
            start = next.effectiveFrom
        }
        pieces.append((current, start, to))
        return pieces.map { (card: $0.0, from: $0.1, to: $0.2) }
    }
}
