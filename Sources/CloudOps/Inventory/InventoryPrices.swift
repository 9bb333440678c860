import Foundation

/// DigitalOcean's list prices for what `/v2/sizes` does not price, turned hourly the way
/// DigitalOcean does (a month is 672 billable hours: `price_hourly` = `price_monthly` / 672).
///
/// Sources: digitalocean.com/pricing — snapshots $0.06 per GiB-month, volumes $0.10 per
/// GiB-month, a reserved IPv4 address $5 a month while not assigned to a droplet (free while
/// assigned), a load balancer $12 a month per node, weekly droplet backups 20% of the droplet's
/// price; digitalocean.com/pricing/managed-databases — a database cluster is billed per node at
/// the node price of its size (the basic sizes below; other sizes are left unpriced).
public enum InventoryPrices {
    /// Billable hours in a month.
    public static let hoursPerMonth: Decimal = 672
    public static let snapshotPerGiBMonth = Decimal(6) / 100
    public static let volumePerGiBMonth = Decimal(10) / 100
    public static let unassignedReservedIPMonth = Decimal(5)
    public static let loadBalancerNodeMonth = Decimal(12)
    /// Weekly backups: this share of the droplet's charge.
    public static let backupShare = Decimal(20) / 100
    /// A managed database node's monthly price by size slug.
    public static let databaseNodeMonth: [String: Decimal] = [
        "db-s-1vcpu-1gb": 15, "db-s-1vcpu-2gb": 30, "db-s-2vcpu-4gb": 60, "db-s-4vcpu-8gb": 120, "db-s-6vcpu-16gb": 240,
        "db-s-8vcpu-32gb": 480, "db-s-16vcpu-64gb": 960,
    ]

    /// A monthly price as an hourly one, rounded half-up to 7 decimal places (finer than DigitalOcean's own hourly prices).
    public static func hourly(monthly: Decimal) -> Decimal {
        var value = monthly / hoursPerMonth
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 7, .plain)
        return rounded
    }
}
