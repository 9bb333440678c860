import Foundation

/// `/v2/volumes…`, `/v2/reserved_ips…` and `/v2/firewalls…`.
extension World {
    // MARK: Volumes

    func listVolumes(_ request: SimRequest) -> SimResponse {
        let name = request.param("name")
        let region = request.param("region")
        let items = volumes.values.filter { volume in
            volume.deletedAt == nil && (name == nil || volume.name == name) && (region == nil || volume.regionSlug == region)
        }
        return page(
            items.sorted { $0.createdAt < $1.createdAt || ($0.createdAt == $1.createdAt && $0.id < $1.id) }.map(volumeJSON), key: "volumes",
            request: request)
    }

    mutating func createVolume(_ request: SimRequest) throws -> SimResponse {
        guard let name = request.string("name"), !name.isEmpty else { throw APIFailure.badRequest("name is required") }
        guard let size = request.int("size_gigabytes"), (1...16_384).contains(size) else {
            throw APIFailure.badRequest("size_gigabytes must be between 1 and 16384")
        }
        guard let region = request.string("region"), Catalog.region(region) != nil else { throw APIFailure.unprocessable("Region is not available") }
        if volumes.values.contains(where: { $0.deletedAt == nil && $0.name == name && $0.regionSlug == region }) {
            throw APIFailure.unprocessable("a volume with that name already exists in \(region)")
        }
        var tagNames: [String] = []
        for tag in request.body?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { tagNames.append(try canonicalTag(tag)) }
        let volume = SimVolume(
            id: SimFormat.uuid(&random), name: name, regionSlug: region, sizeGigabytes: size, description: request.string("description") ?? "",
            filesystemType: request.string("filesystem_type") ?? "", createdAt: request.now, tags: tagNames)
        volumes[volume.id] = volume
        return SimResponse(status: 201, body: .object([("volume", volumeJSON(volume))]), created: ["volume:\(volume.id)"])
    }

    func getVolume(_ request: SimRequest) throws -> SimResponse {
        guard let volume = volumes[request.segments[2]], volume.deletedAt == nil else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("volume", volumeJSON(volume))]))
    }

    mutating func deleteVolume(_ request: SimRequest) throws -> SimResponse {
        let id = request.segments[2]
        guard let volume = volumes[id], volume.deletedAt == nil else { throw APIFailure.notFound() }
        guard volume.dropletIDs.isEmpty else { throw APIFailure.unprocessable("Volume is attached to a droplet; detach it first.") }
        volumes[id]?.deletedAt = request.now
        return SimResponse(status: 204)
    }

    // MARK: Reserved IPs

    func listReservedIPs(_ request: SimRequest) -> SimResponse {
        let items = reservedIPs.values.filter { !$0.deleted }.sorted { $0.ip < $1.ip }
        return page(items.map { reservedIPJSON($0, now: request.now) }, key: "reserved_ips", request: request)
    }

    mutating func createReservedIP(_ request: SimRequest) throws -> SimResponse {
        var region = request.string("region")
        let dropletID = request.int("droplet_id")
        if let dropletID {
            let droplet = try liveDroplet(dropletID, now: request.now)
            region = droplet.regionSlug
        }
        guard let region, Catalog.region(region) != nil else { throw APIFailure.unprocessable("region or droplet_id is required") }
        let ip = allocateAddress(prefix: "198.51")
        var reserved = SimReservedIP(ip: ip, regionSlug: region, projectID: SimFormat.uuid(&random), createdAt: request.now)
        var actionLinks: [JSON] = []
        reservedIPs[ip] = reserved
        if let dropletID {
            let action = try startIPAction(ip: ip, type: "assign_ip", dropletID: dropletID, request: request)
            reserved.runningActionID = action.id
            actionLinks.append(
                .object([("id", .int(action.id)), ("rel", .string("assign_ip")), ("href", .string(request.baseURL + "/v2/actions/\(action.id)"))]))
        }
        reservedIPs[ip] = reserved
        let links: JSON = .object([("droplets", .array([])), ("actions", .array(actionLinks))])
        return SimResponse(
            status: 202, body: .object([("reserved_ip", reservedIPJSON(reserved, now: request.now)), ("links", links)]),
            created: ["reserved_ip:\(ip)"])
    }

    func getReservedIP(_ request: SimRequest) throws -> SimResponse {
        guard let reserved = reservedIPs[request.segments[2]], !reserved.deleted else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("reserved_ip", reservedIPJSON(reserved, now: request.now))]))
    }

    mutating func deleteReservedIP(_ request: SimRequest) throws -> SimResponse {
        let ip = request.segments[2]
        guard let reserved = reservedIPs[ip], !reserved.deleted else { throw APIFailure.notFound() }
        if reserved.runningActionID != nil { throw APIFailure.unprocessable("Reserved IP already has a pending event.") }
        reservedIPs[ip]?.assign(nil, at: request.now)
        reservedIPs[ip]?.deleted = true
        reservedIPs[ip]?.deletedAt = request.now
        return SimResponse(status: 204)
    }

    mutating func postReservedIPAction(_ request: SimRequest) throws -> SimResponse {
        let ip = request.segments[2]
        guard var reserved = reservedIPs[ip], !reserved.deleted else { throw APIFailure.notFound() }
        if reserved.runningActionID != nil { throw APIFailure.unprocessable("Reserved IP already has a pending event.") }
        let action: SimAction
        switch request.string("type") {
        case "assign":
            guard let dropletID = request.int("droplet_id") else { throw APIFailure.unprocessable("droplet_id is required") }
            action = try startIPAction(ip: ip, type: "assign_ip", dropletID: dropletID, request: request)
        case "unassign":
            guard let dropletID = reserved.dropletID else { throw APIFailure.unprocessable("The reserved IP is not assigned.") }
            action = try startIPAction(ip: ip, type: "unassign_ip", dropletID: dropletID, request: request)
        default:
            throw APIFailure.unprocessable("type must be assign or unassign")
        }
        reserved.runningActionID = action.id
        reservedIPs[ip] = reserved
        return SimResponse(status: 201, body: .object([("action", actionJSON(action))]), created: ["action:\(action.id)"])
    }

    /// Starts an assign/unassign; the droplet is locked while it runs (a concurrent droplet
    /// action gets "pending event", as on DigitalOcean).
    private mutating func startIPAction(ip: String, type: String, dropletID: Int, request: SimRequest) throws -> SimAction {
        let droplet = try liveDroplet(dropletID, now: request.now)
        if droplet.isLocked(at: request.now) { throw APIFailure.pendingEvent }
        let numeric = ip.split(separator: ".").compactMap { Int($0) }.reduce(0) { $0 * 256 + $1 }
        let action = startAction(
            type: type, resourceType: "reserved_ip", resourceID: numeric, region: droplet.regionSlug, duration: settings.lags.action,
            now: request.now, fails: request.actionFails, parameters: ["ip": ip, "droplet_id": String(dropletID)])
        droplets[dropletID]?.runningActionID = action.id
        return action
    }

    // MARK: Firewalls

    func listFirewalls(_ request: SimRequest) -> SimResponse {
        let items = firewalls.values.filter { !$0.deleted }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        return page(items.map { firewallJSON($0, now: request.now) }, key: "firewalls", request: request)
    }

    mutating func createFirewall(_ request: SimRequest) throws -> SimResponse {
        let firewall = try validatedFirewall(request, id: SimFormat.uuid(&random), createdAt: request.now)
        firewalls[firewall.id] = firewall
        return SimResponse(status: 202, body: .object([("firewall", firewallJSON(firewall, now: request.now))]), created: ["firewall:\(firewall.id)"])
    }

    mutating func updateFirewall(_ request: SimRequest) throws -> SimResponse {
        let id = request.segments[2]
        guard let existing = firewalls[id], !existing.deleted else { throw APIFailure.notFound() }
        let firewall = try validatedFirewall(request, id: id, createdAt: existing.createdAt)
        firewalls[id] = firewall
        return SimResponse(status: 200, body: .object([("firewall", firewallJSON(firewall, now: request.now))]))
    }

    func getFirewall(_ request: SimRequest) throws -> SimResponse {
        guard let firewall = firewalls[request.segments[2]], !firewall.deleted else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("firewall", firewallJSON(firewall, now: request.now))]))
    }

    mutating func deleteFirewall(_ request: SimRequest) throws -> SimResponse {
        let id = request.segments[2]
        guard firewalls[id]?.deleted == false else { throw APIFailure.notFound() }
        firewalls[id]?.deleted = true
        return SimResponse(status: 204)
    }

    /// POST (add) or DELETE (remove) `/v2/firewalls/{id}/droplets`.
    mutating func firewallDroplets(_ request: SimRequest, add: Bool) throws -> SimResponse {
        let id = request.segments[2]
        guard var firewall = firewalls[id], !firewall.deleted else { throw APIFailure.notFound() }
        guard let ids = request.body?["droplet_ids"]?.arrayValue?.compactMap(\.intValue), !ids.isEmpty else {
            throw APIFailure.badRequest("droplet_ids must be a non-empty list")
        }
        for dropletID in ids {
            _ = try liveDroplet(dropletID, now: request.now)
            if add {
                if !firewall.dropletIDs.contains(dropletID) { firewall.dropletIDs.append(dropletID) }
            } else {
                firewall.dropletIDs.removeAll { $0 == dropletID }
            }
        }
        firewall.readyAt = request.now.addingTimeInterval(settings.lags.action)
        firewalls[id] = firewall
        return SimResponse(status: 204)
    }

    /// `22`, `8000-9000` (ascending, 1 to 65535), `0` or `all`.
    static func isValidPorts(_ text: String) -> Bool {
        if text == "0" || text == "all" { return true }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.count <= 5 && !$0.isEmpty && $0.allSatisfy(\.isASCII) }) else { return false }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers.allSatisfy({ (1...65_535).contains($0) }) else { return false }
        return numbers.count == 1 || numbers[0] <= numbers[1]
    }

    private mutating func validatedFirewall(_ request: SimRequest, id: String, createdAt: Date) throws -> SimFirewall {
        guard let name = request.string("name"), !name.isEmpty else { throw APIFailure.badRequest("name is required") }
        let inbound = request.body?["inbound_rules"]?.arrayValue ?? []
        let outbound = request.body?["outbound_rules"]?.arrayValue ?? []
        guard !inbound.isEmpty || !outbound.isEmpty else { throw APIFailure.badRequest("at least one inbound or outbound rule is required") }
        for rule in inbound + outbound {
            guard let proto = rule["protocol"]?.stringValue, ["tcp", "udp", "icmp"].contains(proto) else {
                throw APIFailure.badRequest("each rule needs a protocol of tcp, udp or icmp")
            }
            if proto != "icmp" && rule["ports"]?.stringValue == nil { throw APIFailure.badRequest("tcp and udp rules need ports") }
            if let ports = rule["ports"] {
                guard let text = ports.stringValue, Self.isValidPorts(text) else {
                    throw APIFailure.badRequest("ports must be a port (22), a range (8000-9000), 0 or all")
                }
            }
        }
        for (rule, key) in inbound.map({ ($0, "sources") }) + outbound.map({ ($0, "destinations") }) {
            guard let targets = rule[key], case .object(let members) = targets else {
                throw APIFailure.badRequest("each inbound rule needs sources and each outbound rule destinations")
            }
            for (name, value) in members {
                let items = value.arrayValue
                switch name {
                case "droplet_ids":
                    guard let items, items.allSatisfy({ $0.intValue != nil }) else {
                        throw APIFailure.badRequest("\(key).droplet_ids must be integers")
                    }
                case "addresses", "load_balancer_uids", "kubernetes_ids", "tags":
                    guard let items, items.allSatisfy({ $0.stringValue != nil }) else {
                        throw APIFailure.badRequest("\(key).\(name) must be strings")
                    }
                default:
                    throw APIFailure.badRequest("unknown field \(key).\(name)")
                }
            }
        }
        func normalised(_ rule: JSON, key: String) -> JSON {
            let targets = rule[key] ?? .object([])
            return .object([
                ("protocol", rule["protocol"] ?? .string("tcp")), ("ports", rule["ports"] ?? .string("0")),
                (
                    key,
                    .object([
                        ("addresses", targets["addresses"] ?? .array([])), ("droplet_ids", targets["droplet_ids"] ?? .array([])),
                        ("load_balancer_uids", targets["load_balancer_uids"] ?? .array([])),
                        ("kubernetes_ids", targets["kubernetes_ids"] ?? .array([])),
                        ("tags", targets["tags"] ?? .array([])),
                    ])
                ),
            ])
        }
        var tagNames: [String] = []
        for tag in request.body?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { tagNames.append(try canonicalTag(tag)) }
        return SimFirewall(
            id: id, name: name, createdAt: createdAt, readyAt: request.now.addingTimeInterval(settings.lags.action),
            dropletIDs: request.body?["droplet_ids"]?.arrayValue?.compactMap(\.intValue) ?? [], tags: tagNames,
            inboundRules: inbound.map { normalised($0, key: "sources") }, outboundRules: outbound.map { normalised($0, key: "destinations") })
    }
}
