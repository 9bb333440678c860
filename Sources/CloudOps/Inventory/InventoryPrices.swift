import Foundation

/// DigitalOcean's list prices for what `/v2/sizes` does not price, turned hourly the way
/// DigitalOcean does (a month is 672 billable hours: `price_hourly` = `price_monthly` / 672).
///
/// Sources: digitalocean.com/pricing — snapshots $0.06 per GiB-month, volumes $0.10 per
/// GiB-month, a reserved IPv4 address $5 a month while not assigned to a droplet (free while
/// assigned), a load balancer $12 a month per node.
public enum InventoryPrices {
    /// Billable hours in a month.
    public static let hoursPerMonth: Decimal = 672
    public static let snapshotPerGiBMonth = Decimal(6) / 100
    public static let volumePerGiBMonth = Decimal(10) / 100
    public static let unassignedReservedIPMonth = Decimal(5)
    public static let loadBalancerNodeMonth = Decimal(12)

    /// A monthly price as an hourly one, rounded half-up to 7 decimal places (finer than DigitalOcean's own hourly prices).
    public static func hourly(monthly: Decimal) -> Decimal {
        var value = monthly / hoursPerMonth
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 7, .plain)
        return rounded
    }
}
