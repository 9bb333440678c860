import CloudOps
public import Foundation

/// Turns a tenant's deployments and their resources' presence into invoice lines for one month.
///
/// The rules (README, "Billing"):
/// - Time is measured in whole seconds, clipped to the period; a resource's overlapping presence
///   intervals count once, and time it was not present is not billed (a missed sync leaves no gap
///   in presence, see `PresenceInterval`).
/// - Each stretch is priced by the rate card in force; a card that changes inside the period
///   splits the stretch into one line per card.
/// - Hourly prices (fixed per size, or DigitalOcean's price with a markup) are charged per exact
///   fraction of an hour, at most 672 hours per resource per month, counted in time order: once a
///   resource has used its 672 hours, later time that month is free (as DigitalOcean caps hourly
///   billing at the monthly price).
/// - Snapshots are charged per GB-month: size × (seconds present / seconds in the month).
/// - A deployment's base fee is prorated by the seconds it existed in the month.
/// - Every line is rounded once, to cents, half away from zero, from the exact product (seconds
///   × price, divided last); the total is the sum of lines.
/// - Nothing after `until` (now) is billed: a draft of the month in progress runs to now.
public struct InvoiceCalculator: Sendable {
    public let schedule: RateCardSchedule

    /// A calculator over the rate cards.
    public init(schedule: RateCardSchedule) { self.schedule = schedule }

    /// The lines of `period` for `deployments` and their `resources` (others are ignored),
    /// ordered by deployment, then base fee first, then resource and time. Time after `until`
    /// (now, for the month in progress) is not billed.
    public func lines(period: BillingPeriod, deployments: [Deployment], resources: [MeteredResource], until: Date? = nil) throws -> [InvoiceLine] {
        let end = min(until ?? period.end, period.end)
        let byDeployment = Dictionary(grouping: resources, by: \.deploymentID)
        var lines: [InvoiceLine] = []
        for deployment in deployments.sorted(by: { $0.id < $1.id }) {
            lines += try baseFees(deployment, period: period, end: end)
            let owned = (byDeployment[deployment.id] ?? []).sorted { ($0.kind, $0.providerID) < ($1.kind, $1.providerID) }
            for resource in owned { lines += try usage(resource, period: period, end: end) }
        }
        return lines
    }

    /// The prorated base fee of one deployment, one line per rate card in force.
    func baseFees(_ deployment: Deployment, period: BillingPeriod, end: Date) throws -> [InvoiceLine] {
        let from = max(deployment.createdAt, period.start)
        let to = min(deployment.endedAt ?? end, end)
        guard from < to else { return [] }
        let monthSeconds = Self.seconds(period.start, period.end)
        return try schedule.pieces(from: from, to: to).map { piece in
            guard let fee = piece.card.planFees[deployment.plan] else {
                throw BillingError(
                    .unknownPlan, "rate card '\(piece.card.name)' has no base fee for plan '\(deployment.plan)' (deployment \(deployment.id))")
            }
            let seconds = Self.seconds(piece.from, piece.to)
            // Multiplied before divided, then rounded once: the quantity is for reading only.
            return InvoiceLine(
                deploymentID: deployment.id, category: .baseFee, resource: nil, name: "\(deployment.name) (\(deployment.plan) plan)", kind: nil,
                size: deployment.plan, from: piece.from, to: piece.to, quantity: seconds / monthSeconds, unit: "month", unitPrice: fee,
                amount: MoneyRounding.round(seconds * fee / monthSeconds), rateCard: piece.card.name)
        }
    }

    /// One resource's usage lines: per rate card piece, the stretches it existed in that piece.
    /// The 672-hour cap is counted in seconds of presence in time order, priced or not.
    func usage(_ resource: MeteredResource, period: BillingPeriod, end: Date) throws -> [InvoiceLine] {
        let stretches = resource.stretches(from: period.start, to: end)
        guard let first = stretches.first, let last = stretches.last else { return [] }
        let monthSeconds = Self.seconds(period.start, period.end)
        var capLeft = RateCard.monthlyCapHours * 3600
        var lines: [InvoiceLine] = []
        for piece in try schedule.pieces(from: first.from, to: last.to) {
            let inside = stretches.compactMap { stretch -> (Date, Date)? in
                let start = max(stretch.from, piece.from)
                let end = min(stretch.to, piece.to)
                return start < end ? (start, end) : nil
            }
            guard let start = inside.first?.0, let end = inside.last?.1 else { continue }
            let seconds = inside.reduce(Decimal(0)) { $0 + Self.seconds($1.0, $1.1) }
            if RateCard.snapshotKinds.contains(resource.kind) {
                guard let price = piece.card.snapshotPerGBMonth, let size = resource.sizeGigabytes else { continue }
                lines.append(
                    line(
                        resource, .snapshot, start, end, quantity: size * seconds / monthSeconds, amount: size * seconds * price / monthSeconds,
                        unit: "GB-month", price: price, card: piece.card, note: "\(size) GB"))
                continue
            }
            let billable = min(seconds, capLeft)
            capLeft -= billable
            guard let rate = piece.card.rates[resource.kind], let price = try hourlyPrice(rate, resource, card: piece.card) else { continue }
            var notes: [String] = []
            if resource.backups, case .markup = rate { notes.append("with weekly backups (+20%)") }
            if billable < seconds { notes.append("capped at \(RateCard.monthlyCapHours) h this month") }
            let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
            lines.append(
                line(
                    resource, .resource, start, end, quantity: billable / 3600, amount: billable * price / 3600, unit: "hour", price: price,
                    card: piece.card, note: note))
        }
        return lines
    }

    private func hourlyPrice(_ rate: ResourceRate, _ resource: MeteredResource, card: RateCard) throws -> Decimal? {
        switch rate {
        case .hourly(let prices):
            guard let price = resource.sizeSlug.flatMap({ prices[$0] }) ?? prices["*"] else {
                throw BillingError(
                    .invalidRateCard,
                    "rate card '\(card.name)' has no hourly price for \(resource.kind) size '\(resource.sizeSlug ?? "-")' (resource \(resource.providerID)); add it or a '*' price"
                )
            }
            return price
        case .markup(let markup):
            // Backups pass through with the droplet: their share of its price, marked up alike.
            let backups = resource.backups ? InventoryPrices.backupShare : 0
            guard let price = resource.providerHourlyPrice else {
                throw BillingError(
                    .invalidRateCard,
                    "rate card '\(card.name)' prices \(resource.kind) by a markup on DigitalOcean's price, and DigitalOcean gives resource \(resource.providerID) none; give \(resource.kind) fixed hourly prices"
                )
            }
            return price * (1 + backups) * (1 + markup)
        }
    }

    private func line(
        _ resource: MeteredResource, _ category: InvoiceLine.Category, _ from: Date, _ to: Date, quantity: Decimal, amount: Decimal, unit: String,
        price: Decimal, card: RateCard, note: String?
    ) -> InvoiceLine {
        InvoiceLine(
            deploymentID: resource.deploymentID, category: category, resource: resource.providerID, name: resource.name, kind: resource.kind,
            size: resource.sizeSlug, from: from, to: to, quantity: quantity, unit: unit, unitPrice: price,
            amount: MoneyRounding.round(amount), rateCard: card.name, note: note)
    }

    /// Whole seconds between two instants, exact.
    static func seconds(_ from: Date, _ to: Date) -> Decimal {
        Decimal(Int64(to.timeIntervalSince(from).rounded()))
    }
}
