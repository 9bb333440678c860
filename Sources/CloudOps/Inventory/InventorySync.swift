import DigitalOcean
import Foundation
import Logging
import Metrics
import SagaEngine

/// Reads the whole DigitalOcean account with the read-only `inventory` token and brings
/// `cloud_resources` and `cloud_presence` in line with it, recording a `sync_runs` row.
///
/// For each kind, one listing (every page), compared in memory with the rows the store holds:
/// new rows and changed rows are upserted; unchanged rows only get `last_seen_at`, in one
/// statement; rows the listing did not show count a miss, and are marked deleted after
/// ``InventorySyncConfiguration/deleteAfterMisses`` consecutive misses or at once when a GET
/// answers 404. A kind whose listing fails is recorded as an error and its rows are left alone.
/// All writes of a kind are one transaction, fenced by the sync lease.
public struct InventorySync: Sendable {
    public let client: DigitalOceanClient
    public let store: any InventoryStore
    public let configuration: InventorySyncConfiguration
    /// Names this process in `sync_runs.holder`.
    public let holder: String
    let clock: @Sendable () -> Date
    let logger: Logger
    let kinds: [InventoryKind]

    /// Creates a sync over `client`, which must hold the `inventory` token.
    public init(
        client: DigitalOceanClient, store: any InventoryStore, configuration: InventorySyncConfiguration = InventorySyncConfiguration(),
        holder: String, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "arcadia.inventory")
    ) throws {
        guard client.purpose == .inventory else {
            throw InventoryError(.noToken, "the inventory sync reads with the inventory (read-only) token, not the \(client.purpose) one")
        }
        self.client = client
        self.store = store
        self.configuration = configuration
        self.holder = holder
        self.clock = clock
        self.logger = logger
        self.kinds = InventoryKind.all.filter { configuration.kinds?.contains($0.name) ?? true }
    }

    /// Syncs now, whenever the last sync ran; throws ``InventoryError/Code/syncRunning`` while
    /// another sync holds the lease.
    public func syncNow(trigger: String = "manual") async throws -> SyncRun {
        guard let run = try await run(trigger: trigger, notStartedAfter: nil) else {
            let running = try await store.syncRuns(limit: 5).first { $0.status == .running }
            throw InventoryError(
                .syncRunning,
                "another inventory sync is running" + (running.map { " (started \($0.startedAt) by \($0.holder))" } ?? "")
                    + "; wait for it, or for its lease to run out if its process died")
        }
        return run
    }

    /// Syncs when no sync started within the interval and none is running; nil otherwise. Safe to
    /// call from every worker: the store lets one of them start.
    public func syncIfDue() async throws -> SyncRun? {
        try await run(trigger: "scheduled", notStartedAfter: clock().addingTimeInterval(-configuration.interval.seconds))
    }

    private func run(trigger: String, notStartedAfter: Date?) async throws -> SyncRun? {
        let startedAt = clock()
        var run = SyncRun(trigger: trigger, holder: holder, startedAt: startedAt)
        guard try await store.beginSync(run, leaseUntil: leaseEnd(), notStartedAfter: notStartedAfter, now: startedAt) else { return nil }
        // Started when the lease was won (written with the run's end), not when it was asked for.
        run.startedAt = max(startedAt, clock())
        let requestsBefore = client.requests.value
        logger.info("inventory sync started", metadata: ["sync.id": "\(run.id)", "sync.trigger": "\(trigger)"])
        let runID = run.id
        do {
            run = try await withThrowingTaskGroup(of: SyncRun?.self) { group in
                // Keeps the lease while a long listing or a rate-limit pause runs (each kind's batch
                // renews it too). A failed renewal is tried again; a lost lease ends the sync at once.
                group.addTask {
                    while true {
                        try await Task.sleep(for: configuration.lease / 4)
                        do {
                            _ = try await store.applySyncBatch(
                                SyncBatch(kind: "", seenAt: clock()), runID: runID, leaseUntil: leaseEnd(), now: clock())
                        } catch let error as InventoryError where error.code == .leaseLost {
                            throw error
                        } catch is CancellationError {
                            return nil
                        } catch {
                            logger.warning("inventory sync lease renewal failed; trying again", metadata: ["error": "\(error)"])
                        }
                    }
                }
                group.addTask { [run] in
                    var working = run
                    try await syncKinds(&working)
                    return working
                }
                defer { group.cancelAll() }
                while let finished = try await group.next() {
                    if let finished { return finished }
                }
                throw CancellationError()
            }
        } catch let error as InventoryError where error.code == .leaseLost {
            logger.error("inventory sync lost its lease", metadata: ["sync.id": "\(run.id)"])
            throw error
        } catch {
            // Cancelled (a worker shutting down) or the database failed: the run is closed at once
            // so that the next sync need not wait for its lease to run out.
            run.status = .failed
            run.requests = client.requests.value - requestsBefore
            run.errors.append(SyncFailure(kind: "sync", message: error is CancellationError ? "cancelled" : Self.describe(error)))
            let closing = run
            try? await Task.detached { [self] in try await finish(closing) }.value
            throw error
        }
        run.requests = client.requests.value - requestsBefore
        run.status = run.errors.isEmpty ? .succeeded : (run.kinds.isEmpty ? .failed : .partial)
        try await finish(run)
        Timer(label: "arcadia_inventory_sync_duration_seconds", dimensions: [("status", run.status.rawValue)]).recordSeconds(
            (run.finishedAt ?? clock()).timeIntervalSince(run.startedAt))
        logger.info(
            "inventory sync finished",
            metadata: ["sync.id": "\(run.id)", "sync.status": "\(run.status.rawValue)", "sync.requests": "\(run.requests)"])
        return run
    }

    /// Records the run's end, trying again a few times: a run left `running` would block every
    /// sync until its lease ran out.
    private func finish(_ run: SyncRun) async throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await store.finishSync(run, now: clock())
            } catch let error as InventoryError where error.code == .leaseLost {
                throw error
            } catch {
                if attempt >= 4 { throw error }
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
    }

    private func leaseEnd() -> Date { clock().addingTimeInterval(configuration.lease.seconds) }

    private func syncKinds(_ run: inout SyncRun) async throws {
        let listing = InventoryListing(client: client, seenAt: run.startedAt)
        do {
            _ = try await listing.prices()
        } catch {
            run.errors.append(SyncFailure(kind: "sizes", message: "prices unavailable, kept as they were: \(Self.describe(error))"))
        }
        for kind in kinds {
            try Task.checkCancellation()
            let listingStart = clock()
            let seen: [CloudResource]
            do {
                seen = try await list(kind, listing)
            } catch {
                if error is CancellationError { throw error }
                logger.warning("inventory kind failed", metadata: ["sync.kind": "\(kind.name)", "error": "\(Self.describe(error))"])
                run.errors.append(SyncFailure(kind: kind.name, message: Self.describe(error)))
                continue
            }
            let seenAt = clock()
            let stored = try await store.resources(kind: kind.name, includeDeleted: true)
            var (batch, counts) = try await plan(kind: kind, seen: seen, stored: stored, seenAt: seenAt, prices: await listing.knownPrices)
            batch.listingStartedAt = listingStart
            if kind.name == "droplet", !batch.deleted.isEmpty {
                batch.deletedAt = await destroyTimes(of: batch.deleted, stored: stored, before: listingStart)
            }
            counts.writes = try await store.applySyncBatch(batch, runID: run.id, leaseUntil: leaseEnd(), now: clock())
            run.kinds[kind.name] = counts
        }
        run.finishedAt = clock()
    }

    /// Lists a kind, pausing for the token's rate-limit window and listing again when DigitalOcean
    /// (or the client's own pacer) says the budget is spent: the sync shares the token's budget
    /// with everything else and waits its turn rather than fail the kind.
    private func list(_ kind: InventoryKind, _ listing: InventoryListing) async throws -> [CloudResource] {
        var attempt = 1
        while true {
            do {
                return try await kind.list(listing)
            } catch let error as DigitalOceanError where error.isRateLimited && attempt < configuration.kindAttempts {
                let pause = min(error.retryAfter ?? .seconds(60), configuration.maxRateLimitPause)
                logger.notice(
                    "inventory listing paused for the rate limit", metadata: ["sync.kind": "\(kind.name)", "pause_s": "\(pause.seconds)"])
                try await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }

    /// Compares one kind's listing with its rows.
    func plan(
        kind: InventoryKind, seen: [CloudResource], stored: [CloudResource], seenAt: Date, prices: Bool
    ) async throws -> (SyncBatch, SyncKindCounts) {
        var batch = SyncBatch(kind: kind.name, seenAt: seenAt)
        var counts = SyncKindCounts()
        let rows = Dictionary(stored.map { ($0.providerID, $0) }, uniquingKeysWith: { first, _ in first })
        var listed = Set<String>()
        for var resource in seen where listed.insert(resource.providerID).inserted {
            let created = resource.attributes["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }
            guard let row = rows[resource.providerID] else {
                resource.firstSeenAt = seenAt
                resource.lastSeenAt = seenAt
                batch.upserts.append(.init(resource: resource, wasDeleted: nil, presenceStart: resource.presenceStart))
                counts.added += 1
                continue
            }
            if !prices && resource.hourlyPrice == nil { resource.hourlyPrice = row.hourlyPrice }
            resource.firstSeenAt = row.firstSeenAt
            resource.lastSeenAt = seenAt
            if let deletedAt = row.deletedAt {
                // Listed after it was marked deleted: a deleted object lingering in the listing
                // (a GET says 404), or one that existed all along, or a new one under a reused id.
                if try await lookUp(kind, resource.providerID) == .gone { continue }
                // Without a created_at, a kind whose ids are names or addresses (a reserved IP, a
                // domain) may be a new object under an old id: its time restarts now.
                let newIncarnation = created.map { $0 > deletedAt } ?? kind.reusesIDs
                batch.upserts.append(
                    .init(
                        resource: resource, wasDeleted: true, presenceStart: newIncarnation ? created ?? seenAt : seenAt,
                        newIncarnation: newIncarnation))
                counts.added += 1
            } else if row.sameContent(as: resource) {
                batch.touched.append(resource.providerID)
                counts.unchanged += 1
            } else {
                batch.upserts.append(.init(resource: resource, wasDeleted: false, presenceStart: seenAt))
                counts.changed += 1
            }
        }
        for row in stored where row.deletedAt == nil && !listed.contains(row.providerID) {
            var found = try await lookUp(kind, row.providerID)
            if found == .gone && seenAt.timeIntervalSince(row.presenceStart) < configuration.notFoundGrace.seconds {
                found = .unknown  // too new for a 404 to mean anything
            }
            switch found {
            case .gone:
                batch.deleted.append(row.providerID)
                counts.deleted += 1
            case .present:
                // Listing lag (new objects show late): the GET is the better evidence that it
                // exists now; no miss counted.
                batch.touched.append(row.providerID)
                counts.missing += 1
            case .unknown where row.missedSyncs + 1 >= configuration.deleteAfterMisses:
                batch.deleted.append(row.providerID)
                counts.deleted += 1
            case .unknown:
                batch.missed.append(row.providerID)
                counts.missing += 1
            }
        }
        return (batch, counts)
    }

    /// When DigitalOcean destroyed the droplets `ids`, from the account's `destroy` actions
    /// (newest first; read until they are older than every one of them was last seen, or the
    /// configured number of actions): each time after the droplet was last seen and before
    /// `listingStart` (the listing did not show it). A failure to read them costs nothing but
    /// precision: those droplets end when last seen.
    func destroyTimes(of ids: [String], stored: [CloudResource], before listingStart: Date) async -> [String: Date] {
        let wanted = Set(ids)
        let lastSeen = Dictionary(stored.filter { wanted.contains($0.providerID) }.map { ($0.providerID, $0.lastSeenAt) }, uniquingKeysWith: max)
        guard configuration.maxActionsForDeletions > 0, let oldest = lastSeen.values.min() else { return [:] }
        var times: [String: Date] = [:]
        var read = 0
        do {
            for try await action in client.actions() {
                read += 1
                if let started = action.startedAt, started < oldest { break }
                if action.type == "destroy", action.resourceType == "droplet", action.isCompleted, let id = action.resourceID.map(String.init),
                    let seen = lastSeen[id], times[id] == nil, let completed = action.completedAt, completed > seen
                {
                    // Strictly before the listing began, so the deletion's fence (last seen before the listing) still holds.
                    times[id] = min(completed, listingStart.addingTimeInterval(-0.001))
                }
                if times.count == lastSeen.count || read >= configuration.maxActionsForDeletions { break }
            }
        } catch {
            logger.notice("could not read destroy actions; deleted droplets end when last seen", metadata: ["error": "\(Self.describe(error))"])
        }
        return times
    }

    /// What a GET of one object says.
    enum LookUp { case gone, present, unknown }

    /// Looks an object up by GET: `gone` on 404, `unknown` when the kind has no GET or the GET failed.
    private func lookUp(_ kind: InventoryKind, _ providerID: String) async throws -> LookUp {
        guard configuration.confirmWithGet, let exists = kind.exists else { return .unknown }
        do {
            return try await exists(client, providerID) ? .present : .gone
        } catch {
            if error is CancellationError { throw error }
            return .unknown
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DigitalOceanError { return error.description }
        return "\(error)"
    }
}
