import Foundation

/// `/v2/droplets…`: create (202), get, list with `tag_name`/`name`, delete by id and by tag,
/// droplet actions, and the droplet's snapshot listing.
extension World {
    mutating func createDroplets(_ request: SimRequest) throws -> SimResponse {
        guard let body = request.body else { throw APIFailure.badRequest("error parsing request body") }
        var names: [String] = []
        if let name = body["name"]?.stringValue {
            names = [name]
        } else if let many = body["names"]?.arrayValue {
            names = many.compactMap(\.stringValue)
            guard names.count == many.count, (1...10).contains(names.count) else {
                throw APIFailure.unprocessable("names must be a list of 1 to 10 droplet names")
            }
        } else {
            throw APIFailure.unprocessable("name is required")
        }
        for name in names where !Self.isValidDropletName(name) {
            throw APIFailure.unprocessable("Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
        }
        guard let sizeSlug = request.string("size"), Catalog.size(sizeSlug) != nil else {
            throw APIFailure.unprocessable("You specified an invalid size for Droplet creation.")
        }
        let regionSlug = request.string("region") ?? "nyc3"
        guard Catalog.region(regionSlug) != nil else { throw APIFailure.unprocessable("Region is not available") }
        guard Catalog.offers(regionSlug, sizeSlug) else { throw APIFailure.unprocessable("Size is not available in this region.") }
        let imageID: Int
        if let slug = body["image"]?.stringValue, let image = Catalog.images.first(where: { $0.slug == slug }) {
            imageID = image.id
        } else if let id = body["image"]?.intValue,
            Catalog.images.contains(where: { $0.id == id }) || snapshots[id].map({ $0.deletedAt == nil }) == true
        {
            imageID = id
        } else {
            throw APIFailure.unprocessable("You specified an invalid image for Droplet creation.")
        }
        let live = droplets.values.filter { $0.deletedAt == nil }.count
        guard live + names.count <= settings.dropletLimit else {
            throw APIFailure.unprocessable("creating this/these droplet(s) will exceed your droplet limit")
        }
        var tagNames: [String] = []
        for tag in body["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { tagNames.append(try canonicalTag(tag)) }
        var features: [String] = ["private_networking"]
        if body["ipv6"]?.boolValue == true { features.append("ipv6") }
        if body["monitoring"]?.boolValue == true { features.append("monitoring") }
        if body["backups"]?.boolValue == true { features.append("backups") }

        var created: [(SimDroplet, SimAction)] = []
        for name in names {
            var droplet = SimDroplet(
                id: nextDropletID, name: name, sizeSlug: sizeSlug, regionSlug: regionSlug, imageID: imageID, status: "new", createdAt: request.now,
                tags: tagNames, features: features, vpcUUID: request.string("vpc_uuid") ?? SimFormat.uuid(&random),
                publicIPv4: allocateAddress(prefix: "203.0"), privateIPv4: allocateAddress(prefix: "10.108"))
            nextDropletID += 1
            let action = startAction(
                type: "create", resourceType: "droplet", resourceID: droplet.id, region: regionSlug, duration: settings.lags.dropletCreate,
                now: request.now, fails: request.actionFails)
            droplet.runningActionID = action.id
            droplet.createFails = request.actionFails
            if features.contains("backups") { droplet.backupsOn = [(request.now, nil)] }
            droplets[droplet.id] = droplet
            if features.contains("backups") {
                // DigitalOcean's first backup comes some time after the droplet is up.
                addBackup(dropletID: droplet.id, at: request.now.addingTimeInterval(settings.lags.dropletCreate))
            }
            created.append((droplet, action))
        }
        let links: JSON = .object([
            (
                "actions",
                .array(
                    created.map {
                        .object([("id", .int($0.1.id)), ("rel", .string("create")), ("href", .string(request.baseURL + "/v2/actions/\($0.1.id)"))])
                    })
            )
        ])
        let ids = created.flatMap { ["droplet:\($0.0.id)", "action:\($0.1.id)"] }
        if body["name"] != nil {
            return SimResponse(
                status: 202, body: .object([("droplet", dropletJSON(created[0].0, now: request.now)), ("links", links)]), created: ids)
        }
        return SimResponse(
            status: 202, body: .object([("droplets", .array(created.map { dropletJSON($0.0, now: request.now) })), ("links", links)]), created: ids)
    }

    static func isValidDropletName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 255, name.first != "-", name.first != ".", name.last != "-", name.last != "." else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "." || $0 == "-" }
    }

    func getDroplet(_ request: SimRequest) throws -> SimResponse {
        let droplet = try liveDroplet(try request.intSegment(2), now: request.now)
        return SimResponse(status: 200, body: .object([("droplet", dropletJSON(droplet, now: request.now))]))
    }

    /// Like DigitalOcean, GPU droplets (sizes `gpu-…`) are listed only with `type=gpus`, and only
    /// they are then; `type=droplets` (the default) leaves them out. `tag_name` cannot be combined
    /// with `type` and lists every droplet carrying the tag, GPU or not.
    func listDroplets(_ request: SimRequest) throws -> SimResponse {
        let tag = request.param("tag_name")
        let name = request.param("name")
        let type = request.param("type")
        if tag != nil && (name != nil || type != nil) {
            throw APIFailure.unprocessable("tag_name cannot be combined with name or type")
        }
        if let type, type != "droplets" && type != "gpus" { throw APIFailure.badRequest("type must be droplets or gpus") }
        let gpus = type == "gpus"
        let items = droplets.values.filter { droplet in
            guard isListed(droplet, now: request.now) else { return false }
            if let tag {
                // Tags are stored canonical, so the exact comparison settles almost every droplet cheaply.
                if !droplet.tags.contains(where: { $0 == tag || $0.caseInsensitiveCompare(tag) == .orderedSame }) { return false }
            } else if Catalog.isGPU(droplet.sizeSlug) != gpus {
                return false
            }
            if let name, droplet.name.caseInsensitiveCompare(name) != .orderedSame { return false }
            return true
        }
        .sorted { $0.id < $1.id }
        return page(items, key: "droplets", request: request) { dropletJSON($0, now: request.now) }
    }

    mutating func deleteDroplet(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        guard let droplet = droplets[id], droplet.deletedAt == nil else { throw APIFailure.notFound() }
        markDeleted(id, at: request.now)
        return SimResponse(status: 204)
    }

    mutating func deleteDropletsByTag(_ request: SimRequest) throws -> SimResponse {
        guard let tag = request.param("tag_name"), !tag.isEmpty else {
            throw APIFailure.badRequest("tag_name is required to delete droplets by tag")
        }
        for droplet in droplets.values
        where droplet.deletedAt == nil && droplet.tags.contains(where: { $0.caseInsensitiveCompare(tag) == .orderedSame }) {
            markDeleted(droplet.id, at: request.now)
        }
        return SimResponse(status: 204)
    }

    private mutating func markDeleted(_ id: Int, at now: Date) {
        droplets[id]?.deletedAt = now
        // DigitalOcean records a droplet's deletion as a `destroy` action in the account's actions.
        let destroy = SimAction(
            id: nextActionID, type: "destroy", status: "completed", startedAt: now, completesAt: now, completedAt: now, resourceID: id,
            resourceType: "droplet", regionSlug: droplets[id]?.regionSlug)
        nextActionID += 1
        actions[destroy.id] = destroy
        if let running = droplets[id]?.runningActionID {
            runningActions.remove(running)
            actions[running]?.status = "errored"
            actions[running]?.completedAt = now
        }
        // Backups go with their droplet; snapshots stay.
        for backup in droplets[id]?.backupIDs ?? [] { backups[backup]?.deletedAt = now }
        for key in reservedIPs.keys where reservedIPs[key]?.dropletID == id { reservedIPs[key]?.assign(nil, at: now) }
        for key in volumes.keys { volumes[key]?.dropletIDs.removeAll { $0 == id } }
        for key in firewalls.keys { firewalls[key]?.dropletIDs.removeAll { $0 == id } }
    }

    // MARK: - Droplet actions

    mutating func postDropletAction(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        guard var droplet = droplets[id], droplet.deletedAt == nil else { throw APIFailure.notFound() }
        guard let type = request.string("type") else { throw APIFailure.unprocessable("type is required") }
        if droplet.isLocked(at: request.now) { throw APIFailure.pendingEvent }
        let status = droplet.pendingStatus?.status ?? droplet.status
        var parameters: [String: String] = [:]
        var duration = settings.lags.action
        switch type {
        case "power_off", "shutdown":
            if status == "off" { throw APIFailure.unprocessable("Droplet is already powered off.") }
        case "power_on":
            if status == "active" { throw APIFailure.unprocessable("Droplet is already powered on.") }
        case "reboot", "power_cycle":
            if status == "off" && type == "reboot" {
                throw APIFailure.unprocessable("Droplet is currently off. Please power it on to run this event.")
            }
        case "resize":
            guard let size = request.string("size"), let target = Catalog.size(size) else {
                throw APIFailure.unprocessable("You specified an invalid size for Droplet resize.")
            }
            if size == droplet.sizeSlug { throw APIFailure.unprocessable("The droplet is already set to this size.") }
            if status != "off" { throw APIFailure.unprocessable("Droplet is currently on. Please power it off to run this event.") }
            if let current = Catalog.size(droplet.sizeSlug), target.disk < current.disk, request.body?["disk"]?.boolValue == true {
                throw APIFailure.unprocessable("Size is too large to fit on your droplet's server")
            }
            parameters["size"] = size
        case "rebuild":
            let image: Int?
            if let slug = request.body?["image"]?.stringValue {
                image = Catalog.images.first { $0.slug == slug }?.id
            } else {
                image = request.body?["image"]?.intValue.flatMap { id in
                    Catalog.images.contains { $0.id == id } || snapshots[id]?.deletedAt == nil && snapshots[id] != nil ? id : nil
                }
            }
            guard let image else { throw APIFailure.unprocessable("You specified an invalid image for Droplet rebuild.") }
            parameters["image"] = String(image)
        case "rename":
            guard let name = request.string("name"), Self.isValidDropletName(name) else { throw APIFailure.unprocessable("name is invalid") }
            parameters["name"] = name
        case "snapshot":
            if let name = request.string("name") { parameters["name"] = name }
            duration = settings.lags.snapshotAction
        case "enable_ipv6", "enable_backups", "disable_backups", "enable_private_networking":
            break
        default:
            throw APIFailure.unprocessable("\(type) is not a valid droplet action type")
        }
        let action = startAction(
            type: type, resourceType: "droplet", resourceID: id, region: droplet.regionSlug, duration: duration, now: request.now,
            fails: request.actionFails, parameters: parameters)
        if let pending = droplet.pendingStatus, pending.at <= request.now {
            droplet.status = pending.status
            droplet.pendingStatus = nil
        }
        droplet.runningActionID = action.id
        droplets[id] = droplet
        return SimResponse(status: 201, body: .object([("action", actionJSON(action))]), created: ["action:\(action.id)"])
    }

    func listDropletActions(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        guard droplets[id]?.deletedAt == nil, droplets[id] != nil else { throw APIFailure.notFound() }
        let items = actions.values.filter { $0.resourceType == "droplet" && $0.resourceID == id }.sorted { $0.id > $1.id }
        return page(items.map(actionJSON), key: "actions", request: request)
    }

    func getDropletAction(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        let actionID = try request.intSegment(4)
        guard let action = actions[actionID], action.resourceType == "droplet", action.resourceID == id else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("action", actionJSON(action))]))
    }

    func listDropletSnapshots(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        // Like its action listing, a deleted droplet's snapshot listing answers 404 (its snapshots
        // stay under /v2/snapshots).
        guard droplets[id]?.deletedAt == nil, droplets[id] != nil else { throw APIFailure.notFound() }
        let items = snapshots.values.filter { $0.dropletID == id && isListed($0, now: request.now) }.sorted { $0.id < $1.id }
        return page(items.map(dropletSnapshotJSON), key: "snapshots", request: request)
    }

    /// `GET /v2/droplets/{id}/backups`: 404 for a deleted droplet, like its snapshot listing.
    func listDropletBackups(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        guard let droplet = droplets[id], droplet.deletedAt == nil else { throw APIFailure.notFound() }
        let items = droplet.backupIDs.compactMap { backups[$0] }.filter { isListedBackup($0, now: request.now) }.sorted { $0.id < $1.id }
        return page(items.map(backupJSON), key: "backups", request: request)
    }

    /// Makes a backup of a droplet taken at `at`, listed `lags.listVisibility` later.
    @discardableResult
    mutating func addBackup(dropletID: Int, at: Date) -> Int? {
        guard var droplet = droplets[dropletID], droplet.deletedAt == nil else { return nil }
        let size = Catalog.size(droplet.sizeSlug)
        let backup = SimSnapshot(
            id: nextImageID, name: "\(droplet.name) \(SimFormat.date(at).prefix(10))", dropletID: dropletID, regionSlug: droplet.regionSlug,
            createdAt: at, visibleAt: at.addingTimeInterval(settings.lags.listVisibility), minDiskSize: size?.disk ?? 25,
            sizeGigabytes: 1.5 + Double(random.next() % 200) / 100)
        nextImageID += 1
        backups[backup.id] = backup
        droplet.backupIDs.append(backup.id)
        droplets[dropletID] = droplet
        return backup.id
    }

    /// Whether a backup shows in listings at `now`: taken, listed, and its droplet still there.
    func isListedBackup(_ backup: SimSnapshot, now: Date) -> Bool {
        backup.deletedAt == nil && backup.visibleAt <= now && droplets[backup.dropletID]?.deletedAt == nil
    }
}
