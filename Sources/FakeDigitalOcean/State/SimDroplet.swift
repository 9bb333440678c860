import Foundation

/// A droplet as the simulator keeps it, deleted ones included.
struct SimDroplet: Sendable {
    var id: Int
    var name: String
    var sizeSlug: String
    var regionSlug: String
    var imageID: Int
    var status: String
    var createdAt: Date
    var tags: [String]
    var features: [String]
    var vpcUUID: String
    var publicIPv4: String
    var privateIPv4: String
    var networksReady = false
    var snapshotIDs: [Int] = []
    /// Backups (droplets created with backups on), in ``World/backups``.
    var backupIDs: [Int] = []
    /// When backups were on (billed as a share of the droplet's price), oldest first.
    var backupsOn: [(from: Date, to: Date?)] = []
    var volumeIDs: [String] = []
    /// The running action, if any: the droplet is locked while it runs.
    var runningActionID: Int?
    /// Locked until then even without a running action (a snapshot not yet listed).
    var lockedUntil: Date?
    /// A status change that becomes visible later (status lag).
    var pendingStatus: (status: String, at: Date)?
    var deletedAt: Date?
    /// The create action ends `errored` and the droplet disappears.
    var createFails = false

    /// Turns backups on or off from `at` (nothing changes if they already are).
    mutating func setBackups(_ on: Bool, at: Date) {
        let running = backupsOn.last.map { $0.to == nil } ?? false
        if on && !running {
            backupsOn.append((at, nil))
            if !features.contains("backups") { features.append("backups") }
        } else if !on && running {
            backupsOn[backupsOn.count - 1].to = at
            features.removeAll { $0 == "backups" }
        }
    }

    func isLocked(at now: Date) -> Bool {
        runningActionID != nil || (lockedUntil.map { $0 > now } ?? false)
    }

    func visibleStatus(at now: Date) -> String {
        if let pending = pendingStatus, pending.at <= now { return pending.status }
        return status
    }
}
