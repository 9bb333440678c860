import Foundation

/// What DigitalOcean bills the simulated account, computed from its own resources' lifetimes and
/// list prices on the simulator's clock, by DigitalOcean's rules (an implementation of its own,
/// apart from Arcadia's billing, so the two can be reconciled):
/// - droplets from 2026-01-01 per second, at least 60 s and $0.01, at most the size's monthly
///   price; before, per started hour (at least one), at most 672 hours; powered off or not;
/// - backups: 20% of what the droplet is charged for the time backups were on (weekly backups), a
///   line of their own, at least $0.01;
/// - volumes ($0.10 per GiB-month), load balancers ($12 a month per node), managed databases (the
///   node price of their size × nodes) and reserved IPs while not assigned to a droplet ($5 a
///   month) per started hour, at most 672 hours a month;
/// - snapshots (droplet and volume) $0.06 per GiB-month pro rata, at least $0.01.
/// Each line is rounded once, to cents, half up. Invoice items have no id of their own: two equal
/// lines are two lines.
extension World {
    /// One line of an invoice.
    struct BillingLine: Sendable {
        var product: String
        var resourceUUID: String
        var resourceID: String
        var description: String
        var amount: Decimal
        var hours: Decimal
        var start: Date
        var end: Date
    }

    static let perSecondBillingStart = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let billingCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The month holding `date`: `[start, end)`.
    static func month(of date: Date) -> (start: Date, end: Date) {
        let interval = billingCalendar.dateInterval(of: .month, for: date)!
        return (interval.start, interval.end)
    }

    static func period(_ start: Date) -> String { String(SimFormat.date(start).prefix(7)) }

    /// The lines of the month starting at `monthStart`, up to `now` for the month in progress.
    func billingLines(monthStart: Date, now: Date) -> [BillingLine] {
        let month = Self.month(of: monthStart)
        let end = min(month.end, now)
        guard end > month.start else { return [] }
        let monthSeconds = Decimal(Int(month.end.timeIntervalSince(month.start)))
        func clip(_ created: Date, _ deleted: Date?) -> (Date, Date, Decimal)? {
            let from = max(created, month.start)
            let to = min(deleted ?? end, end)
            guard to > from else { return nil }
            return (from, to, Decimal(Int(to.timeIntervalSince(from).rounded())))
        }
        /// Per started hour, at most 672 a month, of a monthly price.
        func hourly(_ seconds: Decimal, monthly: Decimal) -> Decimal { Self.cents(min(Self.startedHours(seconds), 672) * monthly / 672) }
        var lines: [BillingLine] = []
        for droplet in droplets.values.sorted(by: { $0.id < $1.id }) {
            guard let (from, to, seconds) = clip(droplet.createdAt, droplet.deletedAt), let size = Catalog.size(droplet.sizeSlug),
                let hourly = Decimal(string: size.priceHourly), let monthly = Decimal(string: size.priceMonthly)
            else { continue }
            /// The droplet's charge for `seconds` of the month, before rounding.
            func charge(_ seconds: Decimal) -> Decimal {
                month.start >= Self.perSecondBillingStart
                    ? min(max(seconds, 60) * hourly / 3600, monthly) : min(Self.startedHours(seconds), 672) * hourly
            }
            let amount = month.start >= Self.perSecondBillingStart ? Self.atLeastOneCent(charge(seconds)) : Self.cents(charge(seconds))
            lines.append(
                BillingLine(
                    product: "Droplets", resourceUUID: droplet.vpcUUID, resourceID: String(droplet.id),
                    description: "\(droplet.name) (\(droplet.sizeSlug))",
                    amount: amount, hours: Self.hours(seconds), start: from, end: to))
            let backups = droplet.backupsOn.compactMap { on in clip(max(on.from, droplet.createdAt), min(on.to ?? to, droplet.deletedAt ?? to)) }
            guard let first = backups.first, let last = backups.last else { continue }
            let backupSeconds = backups.reduce(Decimal(0)) { $0 + $1.2 }
            lines.append(
                BillingLine(
                    product: "Backups", resourceUUID: droplet.vpcUUID, resourceID: String(droplet.id),
                    description: "\(droplet.name) (\(droplet.sizeSlug)) weekly backups",
                    amount: Self.atLeastOneCent(charge(backupSeconds) * Decimal(20) / 100), hours: Self.hours(backupSeconds), start: first.0,
                    end: last.1))
        }
        for volume in volumes.values.sorted(by: { $0.createdAt < $1.createdAt }) {
            guard let (from, to, seconds) = clip(volume.createdAt, volume.deletedAt) else { continue }
            let monthly = Decimal(volume.sizeGigabytes) / 10
            lines.append(
                BillingLine(
                    product: "Volumes", resourceUUID: volume.id, resourceID: volume.id, description: "\(volume.name) (\(volume.sizeGigabytes) GiB)",
                    amount: hourly(seconds, monthly: monthly), hours: Self.hours(seconds), start: from, end: to))
        }
        for snapshot in snapshots.values.sorted(by: { $0.id < $1.id }) {
            guard let (from, to, seconds) = clip(snapshot.createdAt, snapshot.deletedAt),
                let size = Decimal(string: String(snapshot.sizeGigabytes))
            else { continue }
            lines.append(
                BillingLine(
                    product: "Snapshots", resourceUUID: String(snapshot.id), resourceID: String(snapshot.id),
                    description: "\(snapshot.name) (\(snapshot.sizeGigabytes) GiB)",
                    amount: Self.atLeastOneCent(size * Decimal(6) / 100 * seconds / monthSeconds), hours: Self.hours(seconds), start: from, end: to))
        }
        for balancer in objects(of: .loadBalancers).values.sorted(by: { $0.sequence < $1.sequence }) {
            guard let (from, to, seconds) = clip(balancer.createdAt, balancer.deletedAt) else { continue }
            let nodes = Decimal(balancer.json["size_unit"]?.intValue ?? 1)
            lines.append(
                BillingLine(
                    product: "Load Balancers", resourceUUID: balancer.id, resourceID: balancer.id,
                    description: balancer.json["name"]?.stringValue ?? balancer.id,
                    amount: hourly(seconds, monthly: nodes * 12), hours: Self.hours(seconds), start: from, end: to))
        }
        for database in objects(of: .databases).values.sorted(by: { $0.sequence < $1.sequence }) {
            guard let (from, to, seconds) = clip(database.createdAt, database.deletedAt),
                let price = database.json["size"]?.stringValue.flatMap({ Catalog.databaseNodeMonthly[$0] })
            else { continue }
            let nodes = Decimal(database.json["num_nodes"]?.intValue ?? 1)
            lines.append(
                BillingLine(
                    product: "Managed Databases", resourceUUID: database.id, resourceID: database.id,
                    description: "\(database.json["name"]?.stringValue ?? database.id) (\(database.json["size"]?.stringValue ?? "-") × \(nodes))",
                    amount: hourly(seconds, monthly: nodes * price), hours: Self.hours(seconds), start: from, end: to))
        }
        for reserved in reservedIPs.values.sorted(by: { $0.ip < $1.ip }) {
            // Billed while not assigned: its life minus its assignments.
            var unassigned: [(Date, Date, Decimal)] = []
            var cursor = reserved.createdAt
            for assignment in reserved.assignments + [(reserved.deletedAt ?? .distantFuture, nil)] {
                if let piece = clip(cursor, min(assignment.from, reserved.deletedAt ?? .distantFuture)) { unassigned.append(piece) }
                cursor = max(cursor, assignment.to ?? .distantFuture)
            }
            guard let first = unassigned.first, let last = unassigned.last else { continue }
            let seconds = unassigned.reduce(Decimal(0)) { $0 + $1.2 }
            lines.append(
                BillingLine(
                    product: "Reserved IPs", resourceUUID: reserved.ip, resourceID: reserved.ip, description: "\(reserved.ip) (not assigned)",
                    amount: hourly(seconds, monthly: 5), hours: Self.hours(seconds), start: first.0, end: last.1))
        }
        return lines
    }

    /// The months with billed usage that have ended by `now`, oldest first.
    func closedMonths(now: Date) -> [Date] {
        let starts =
            droplets.values.map(\.createdAt) + volumes.values.map(\.createdAt) + snapshots.values.map(\.createdAt)
            + objects(of: .loadBalancers).values.map(\.createdAt) + objects(of: .databases).values.map(\.createdAt)
            + reservedIPs.values.map(\.createdAt)
        guard let first = starts.min() else { return [] }
        var months: [Date] = []
        var month = Self.month(of: first)
        while month.end <= now {
            if !billingLines(monthStart: month.start, now: now).isEmpty { months.append(month.start) }
            month = Self.month(of: month.end)
        }
        return months
    }

    /// The invoice UUID of a closed month (stable: derived from the month).
    static func invoiceUUID(_ monthStart: Date) -> String {
        let hex = SimFormat.hexDigest("invoice-\(period(monthStart))", bytes: 16)
        let characters = Array(hex)
        func part(_ from: Int, _ to: Int) -> String { String(characters[from..<to]) }
        return [part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32)].joined(separator: "-")
    }

    static func invoiceID(_ monthStart: Date) -> String { String(Int(period(monthStart).replacingOccurrences(of: "-", with: "")) ?? 0) }

    static func total(_ lines: [BillingLine]) -> Decimal { lines.reduce(0) { $0 + $1.amount } }

    static func text(_ amount: Decimal) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.minimumIntegerDigits = 1
        formatter.usesGroupingSeparator = false
        return formatter.string(from: cents(amount) as NSDecimalNumber) ?? "\(amount)"
    }

    static func cents(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }

    static func atLeastOneCent(_ value: Decimal) -> Decimal { value > 0 ? max(cents(value), Decimal(1) / 100) : 0 }

    static func startedHours(_ seconds: Decimal) -> Decimal {
        var hours = seconds / 3600
        var result = Decimal()
        NSDecimalRound(&result, &hours, 0, .up)
        return max(result, 1)
    }

    static func hours(_ seconds: Decimal) -> Decimal {
        var hours = seconds / 3600
        var result = Decimal()
        NSDecimalRound(&result, &hours, 2, .plain)
        return result
    }
}
