import CloudOps
public import Foundation

/// What DigitalOcean charges Arcadia for a resource in a month, by DigitalOcean's own rules
/// (README, "Billing"), for the margin report:
/// - Droplets from 2026-01-01: per second, at least 60 seconds per stretch of existence, at most
///   the monthly price (672 × the hourly price), at least $0.01; before: per started hour (at
///   least one per stretch), at most 672 hours a month. Billed while they exist, powered off or not.
/// - Weekly backups of a droplet: 20% of the droplet's charge (before rounding), a line of their
///   own, at least $0.01; inventory tells only whether backups are on now, so they count for the
///   droplet's whole presence.
/// - Snapshots: per GB-month of their size, pro rata, at least $0.01.
/// - Other priced kinds (volumes, load balancers, unassigned reserved IPs, ...): per started hour,
///   at most 672 hours a month.
/// Each resource's month is rounded once, to cents, half away from zero.
public enum DigitalOceanCost {
    /// When DigitalOcean's droplets went from hourly to per-second billing.
    public static let perSecondBillingStart = BillingPeriod("2026-01")!.start
    /// Snapshots, per GB-month.
    public static let snapshotPerGBMonth = Decimal(6) / 100

    /// The charge for `resource` in `period`, for its time up to `until` (the period's end when nil;
    /// a draft invoice's time of making, to cost what it bills).
    public static func cost(of resource: MeteredResource, period: BillingPeriod, until: Date? = nil) -> Decimal {
        let stretches = resource.stretches(from: period.start, to: min(until ?? period.end, period.end))
        guard !stretches.isEmpty else { return 0 }
        let seconds = stretches.map { InvoiceCalculator.seconds($0.from, $0.to) }
        if RateCard.snapshotKinds.contains(resource.kind) {
            guard let size = resource.sizeGigabytes else { return 0 }
            let amount = size * snapshotPerGBMonth * seconds.reduce(0, +) / InvoiceCalculator.seconds(period.start, period.end)
            return atLeastOneCent(amount)
        }
        guard let hourly = resource.providerHourlyPrice, hourly > 0 else { return 0 }
        let monthly = hourly * RateCard.monthlyCapHours
        if resource.kind == "droplet" {
            let charge: Decimal
            let amount: Decimal
            if period.start >= perSecondBillingStart {
                let billed = seconds.reduce(Decimal(0)) { $0 + max($1, 60) }
                charge = min(billed * hourly / 3600, monthly)
                amount = atLeastOneCent(charge)
            } else {
                charge = min(seconds.reduce(Decimal(0)) { $0 + max(1, startedHours($1)) }, RateCard.monthlyCapHours) * hourly
                amount = MoneyRounding.round(charge)
            }
            return amount + (resource.backups ? atLeastOneCent(charge * InventoryPrices.backupShare) : 0)
        }
        let hours = seconds.reduce(Decimal(0)) { total, seconds in total + max(1, startedHours(seconds)) }
        return MoneyRounding.round(min(hours, RateCard.monthlyCapHours) * hourly)
    }

    /// Hours begun in `seconds` (3 h 20 min: 4).
    static func startedHours(_ seconds: Decimal) -> Decimal {
        var hours = seconds / 3600
        var rounded = Decimal()
        NSDecimalRound(&rounded, &hours, 0, .up)
        return rounded
    }

    /// An amount rounded to cents, a positive one to at least one cent.
    private static func atLeastOneCent(_ amount: Decimal) -> Decimal {
        guard amount > 0 else { return 0 }
        return max(MoneyRounding.round(amount), Decimal(1) / 100)
    }
}
