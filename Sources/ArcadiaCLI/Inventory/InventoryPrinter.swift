import CloudOps
import Foundation

/// Human-readable inventory, sync and drift output.
enum InventoryPrinter {
    static func run(_ run: SyncRun) -> String {
        var lines = [
            "sync \(run.id.uuidString.lowercased()) \(run.status.rawValue) (\(run.trigger), \(run.holder))",
            "started \(run.startedAt.formatted(.iso8601))" + (run.finishedAt.map { ", finished \($0.formatted(.iso8601))" } ?? "")
                + ", \(run.requests) requests",
            pad(["KIND", "ADDED", "CHANGED", "UNCHANGED", "DELETED", "MISSING"]),
        ]
        for kind in run.kinds.keys.sorted() {
            let c = run.kinds[kind] ?? SyncKindCounts()
            lines.append(pad([kind, "\(c.added)", "\(c.changed)", "\(c.unchanged)", "\(c.deleted)", "\(c.missing)"]))
        }
        let t = run.totals
        lines.append(pad(["total", "\(t.added)", "\(t.changed)", "\(t.unchanged)", "\(t.deleted)", "\(t.missing)"]))
        for error in run.errors { lines.append("error: \(error.kind): \(error.message)") }
        return lines.joined(separator: "\n")
    }

    static func resources(_ rows: [CloudResource]) -> String {
        guard !rows.isEmpty else { return "no resources (run `arcadia inventory sync`)" }
        var lines = [pad(["KIND", "PROVIDER ID", "NAME", "REGION", "SIZE", "STATUS", "MANAGED", "$/HOUR"], widths: widths)]
        for r in rows {
            lines.append(
                pad(
                    [
                        r.kind, r.providerID, r.name, r.region ?? "-", r.sizeSlug ?? "-", r.deletedAt == nil ? (r.status ?? "-") : "deleted",
                        r.managed ? "yes" : "no", r.hourlyPrice.map { "\($0)" } ?? "-",
                    ], widths: widths))
        }
        return lines.joined(separator: "\n")
    }

    static func drift(_ report: DriftReport) -> String {
        var lines: [String] = []
        for (title, items) in [("MISSING", report.missing), ("CHANGED", report.changed), ("ORPHANED", report.orphaned)] where !items.isEmpty {
            lines.append("\(title) (\(items.count))")
            for item in items {
                lines.append("  \(item.kind) \(item.providerID) \(item.name): \(item.detail)")
                for change in item.changes { lines.append("    \(change.field): desired \(change.desired), actual \(change.actual)") }
            }
        }
        lines.append("in sync: \(report.inSync)" + (report.unverified > 0 ? ", not yet verifiable (kind never synced): \(report.unverified)" : ""))
        lines.append("last sync: " + (report.lastSyncAt.map { $0.formatted(.iso8601) } ?? "never (run `arcadia inventory sync`)"))
        return lines.joined(separator: "\n")
    }

    private static let widths = [20, 38, 30, 8, 20, 12, 8, 12]

    private static func pad(_ cells: [String], widths: [Int] = [20, 8, 8, 10, 8, 8]) -> String {
        zip(cells, widths).map { cell, width in cell.count >= width ? cell + " " : cell.padding(toLength: width, withPad: " ", startingAt: 0) }
            .joined().trimmingCharacters(in: .whitespaces)
    }
}
