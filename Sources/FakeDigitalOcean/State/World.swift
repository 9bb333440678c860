import Foundation

/// Everything the simulated account holds, deleted objects included, plus the simulator's
/// clock, random source, counters and audit log. Mutated only under the simulator's lock.
///
/// Time-driven changes (actions completing, snapshots appearing, statuses catching up) are
/// computed from timestamps: ``settle(_:)`` runs before every request, so advancing the clock
/// through the control API is enough to move the world forward.
struct World: Sendable {
    var settings: SimulatorSettings
    var random: SeededRandom
    var clockOffset: Double = 0

    var droplets: [Int: SimDroplet] = [:]
    var actions: [Int: SimAction] = [:]
    var runningActions: Set<Int> = []
    var snapshots: [Int: SimSnapshot] = [:]
    var domains: [String: SimDomain] = [:]
    /// Lowercased name → canonical (first) capitalisation.
    var tags: [String: String] = [:]
    var volumes: [String: SimVolume] = [:]
    var reservedIPs: [String: SimReservedIP] = [:]
    var firewalls: [String: SimFirewall] = [:]
    /// Backups of droplets created with backups on (images of type `backup`), by image id.
    var backups: [Int: SimSnapshot] = [:]
    /// Custom images imported with `POST /v2/images` (kept as snapshot-shaped images of type `custom`).
    var customImages: [Int: SimSnapshot] = [:]
    /// The objects of the generic collections (``SimCollection``), by collection path, then id.
    var inventory: [String: [String: SimObject]] = [:]
    /// Project assignments, by URN.
    var projectResources: [String: SimProjectResource] = [:]
    /// Invoice lines added through ``Simulator/addInvoiceItems(_:invoiceUUID:)``, by invoice UUID.
    var extraInvoiceItems: [String: [JSON]] = [:]

    var audit: [AuditEntry] = []
    /// Callers of ``Simulator/waitForWrite(method:route:)`` waiting for a matching audit entry.
    var auditWaiters: [(method: String, route: String, continuation: CheckedContinuation<Void, Never>)] = []
    var requestsByToken: [String: Int] = [:]
    var responsesByStatus: [Int: Int] = [:]
    var rateWindows: [String: [Date]] = [:]

    var nextDropletID = 420_000_001
    var nextActionID = 2_100_000_001
    var nextImageID = 180_000_001
    var nextRecordID = 330_000_001
    var nextAddress = 10
    var nextObjectID = 512_000_001
    var nextObjectSequence = 0

    /// With a frozen clock, time stands at this instant until the control API advances it.
    var frozenAt: Date?

    init(settings: SimulatorSettings, seed: UInt64, frozen: Bool = false) {
        self.settings = settings
        self.random = SeededRandom(seed: seed)
        self.frozenAt = frozen ? Date() : nil
        insertDefaultProject()
    }

    /// The simulated time: the wall clock (or the frozen instant) plus whatever the control API
    /// advanced.
    var now: Date { (frozenAt ?? Date()).addingTimeInterval(clockOffset) }

    // MARK: - Time

    /// Completes every action whose time has come, in completion order.
    mutating func settle(_ now: Date) {
        let due = runningActions.compactMap { actions[$0] }.filter { $0.completesAt <= now }
            .sorted { ($0.completesAt, $0.id) < ($1.completesAt, $1.id) }
        for action in due { complete(action.id) }
    }

    /// Starts an action that completes `duration` seconds from `now`.
    mutating func startAction(
        type: String, resourceType: String, resourceID: Int?, region: String?, duration: Double, now: Date, fails: Bool,
        parameters: [String: String] = [:]
    ) -> SimAction {
        let action = SimAction(
            id: nextActionID, type: type, startedAt: now, completesAt: now.addingTimeInterval(duration), resourceID: resourceID,
            resourceType: resourceType, regionSlug: region, fails: fails, parameters: parameters)
        nextActionID += 1
        actions[action.id] = action
        runningActions.insert(action.id)
        return action
    }

    private mutating func complete(_ id: Int) {
        guard var action = actions[id] else { return }
        runningActions.remove(id)
        let at = action.completesAt
        action.completedAt = at
        action.status = action.fails ? "errored" : "completed"
        actions[id] = action
        switch action.resourceType {
        case "droplet": completeDropletAction(action, at: at)
        case "reserved_ip": completeReservedIPAction(action, at: at)
        default: break
        }
    }

    private mutating func completeDropletAction(_ action: SimAction, at: Date) {
        guard let id = action.resourceID, var droplet = droplets[id] else { return }
        if droplet.runningActionID == action.id { droplet.runningActionID = nil }
        defer { droplets[id] = droplet }
        if action.fails {
            // A failed create takes the droplet with it (DigitalOcean deletes it).
            if action.type == "create" { droplet.deletedAt = at }
            return
        }
        let lag = settings.lags.statusLag
        switch action.type {
        case "create":
            droplet.status = "active"
            droplet.networksReady = true
        case "power_off", "shutdown":
            droplet.pendingStatus = ("off", at.addingTimeInterval(lag))
        case "power_on", "reboot", "power_cycle":
            droplet.pendingStatus = ("active", at.addingTimeInterval(lag))
        case "resize":
            if let size = action.parameters["size"] { droplet.sizeSlug = size }
        case "rebuild":
            if let image = action.parameters["image"].flatMap({ Int($0) }) { droplet.imageID = image }
        case "rename":
            if let name = action.parameters["name"] { droplet.name = name }
        case "enable_backups":
            droplet.setBackups(true, at: at)
        case "disable_backups":
            droplet.setBackups(false, at: at)
        case "snapshot":
            let size = Catalog.size(droplet.sizeSlug)
            let visibleAt = at.addingTimeInterval(settings.lags.snapshotListing)
            let snapshot = SimSnapshot(
                id: nextImageID, name: action.parameters["name"] ?? "\(droplet.name)-\(Int(action.startedAt.timeIntervalSince1970))",
                dropletID: droplet.id, regionSlug: droplet.regionSlug, createdAt: action.startedAt, visibleAt: visibleAt,
                minDiskSize: size?.disk ?? 25, sizeGigabytes: 1.5 + Double(random.next() % 200) / 100)
            nextImageID += 1
            snapshots[snapshot.id] = snapshot
            droplet.snapshotIDs.append(snapshot.id)
            // Like DigitalOcean, the droplet stays locked until the snapshot is listed.
            droplet.lockedUntil = visibleAt
        default: break
        }
    }

    private mutating func completeReservedIPAction(_ action: SimAction, at: Date) {
        guard let ip = action.parameters["ip"], var reserved = reservedIPs[ip] else { return }
        reserved.runningActionID = nil
        if !action.fails {
            reserved.assign(action.type == "assign_ip" ? action.parameters["droplet_id"].flatMap { Int($0) } : nil, at: at)
        }
        reservedIPs[ip] = reserved
        if let dropletID = action.parameters["droplet_id"].flatMap({ Int($0) }), droplets[dropletID]?.runningActionID == action.id {
            droplets[dropletID]?.runningActionID = nil
        }
    }

    // MARK: - Lookups

    /// A droplet a GET may see: not deleted and past the GET-404 window.
    func liveDroplet(_ id: Int, now: Date) throws -> SimDroplet {
        guard let droplet = droplets[id], droplet.deletedAt == nil,
            droplet.createdAt.addingTimeInterval(settings.lags.getNotFound) <= now
        else { throw APIFailure.notFound() }
        return droplet
    }

    /// Whether a droplet shows in listings at `now` (list lag after create, linger after delete).
    func isListed(_ droplet: SimDroplet, now: Date) -> Bool {
        if droplet.createdAt.addingTimeInterval(settings.lags.listVisibility) > now { return false }
        if let deletedAt = droplet.deletedAt { return deletedAt.addingTimeInterval(settings.lags.deleteLinger) > now }
        return true
    }

    /// Whether a snapshot shows in listings at `now`.
    func isListed(_ snapshot: SimSnapshot, now: Date) -> Bool {
        if snapshot.visibleAt > now { return false }
        if let deletedAt = snapshot.deletedAt { return deletedAt.addingTimeInterval(settings.lags.deleteLinger) > now }
        return true
    }

    /// The canonical capitalisation of a tag, creating the tag if it is new.
    mutating func canonicalTag(_ name: String) throws -> String {
        try Self.validateTag(name)
        if let existing = tags[name.lowercased()] { return existing }
        tags[name.lowercased()] = name
        return name
    }

    static func validateTag(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-:".unicodeScalars.contains($0) }
        guard !name.isEmpty, name.count <= 255, allowed else {
            throw APIFailure.unprocessable("Tag names may only contain letters, numbers, colons, dashes and underscores (\(name)).")
        }
    }

    /// A fresh address from the documentation ranges.
    mutating func allocateAddress(prefix: String) -> String {
        nextAddress += 1
        return "\(prefix).\(nextAddress / 250).\(nextAddress % 250 + 2)"
    }

    // MARK: - Pagination

    /// A page of `items` under `key`, with `links.pages` (absolute URLs that keep the query) and
    /// `meta.total`, as DigitalOcean answers collections. `per_page` is clamped to 1…200.
    func page(_ items: [JSON], key: String, request: SimRequest, extra: [(String, JSON)] = []) -> SimResponse {
        page(items, key: key, request: request, extra: extra) { $0 }
    }

    /// ``page(_:key:request:extra:)`` that renders only the items of the page asked for (a listing
    /// of ten thousand droplets renders two hundred per request, not ten thousand).
    func page<Item>(_ items: [Item], key: String, request: SimRequest, extra: [(String, JSON)] = [], render: (Item) -> JSON) -> SimResponse {
        let perPage = min(max(Int(request.param("per_page") ?? "") ?? 20, 1), 200)
        let total = items.count
        let lastPage = max(1, (total + perPage - 1) / perPage)
        let page = max(1, Int(request.param("page") ?? "") ?? 1)
        // A page past the end is empty; computed without multiplying, so that a page number near
        // Int.max (a fuzzer's favourite) cannot overflow and bring the simulator down.
        let start = page > lastPage ? total : (page - 1) * perPage
        let slice = items[start..<min(start + perPage, total)].map(render)
        func link(_ number: Int) -> JSON {
            var query = request.query.filter { $0.0 != "page" }
            query.append(("page", String(number)))
            let text = query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
            return .string(request.baseURL + request.path + "?" + text)
        }
        var pages: [(String, JSON)] = []
        if page > 1 {
            pages.append(("first", link(1)))
            pages.append(("prev", link(min(page - 1, lastPage))))
        }
        if page < lastPage {
            pages.append(("next", link(page + 1)))
            pages.append(("last", link(lastPage)))
        }
        let links: JSON = pages.isEmpty ? .object([]) : .object([("pages", .object(pages))])
        return SimResponse(
            status: 200, body: .object([(key, .array(slice))] + extra + [("links", links), ("meta", .object([("total", .int(total))]))]))
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
