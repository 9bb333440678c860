import Foundation

/// `/v2/domains…` as DigitalOcean does DNS: relative names and `@`, SOA and NS records made with
/// the zone, hostname data that must end with a dot on write and comes back without it, and a
/// `?name=` filter that takes the fully qualified name.
extension World {
    func listDomains(_ request: SimRequest) -> SimResponse {
        page(domains.values.sorted { $0.name < $1.name }.map(domainJSON), key: "domains", request: request)
    }

    mutating func createDomain(_ request: SimRequest) throws -> SimResponse {
        guard let name = request.string("name")?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")), name.contains("."),
            name.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "." || $0 == "-" })
        else { throw APIFailure.unprocessable("Name is invalid") }
        guard domains[name] == nil else { throw APIFailure.unprocessable("Name already exists") }
        var domain = SimDomain(name: name, createdAt: request.now)
        domain.records.append(newRecord(type: "SOA", name: "@", data: "1800", ttl: 1800))
        for server in ["ns1", "ns2", "ns3"] {
            domain.records.append(newRecord(type: "NS", name: "@", data: "\(server).digitalocean.com", ttl: 1800))
        }
        if let ip = request.string("ip_address") {
            domain.records.append(newRecord(type: "A", name: "@", data: ip, ttl: 1800))
        }
        domains[name] = domain
        return SimResponse(
            status: 201, body: .object([("domain", .object([("name", .string(name)), ("ttl", .int(1800)), ("zone_file", .null)]))]),
            created: ["domain:\(name)"])
    }

    private mutating func newRecord(
        type: String, name: String, data: String, ttl: Int, priority: Int? = nil, port: Int? = nil, weight: Int? = nil, flags: Int? = nil,
        tag: String? = nil
    ) -> SimRecord {
        defer { nextRecordID += 1 }
        return SimRecord(
            id: nextRecordID, type: type, name: name, data: data, priority: priority, port: port, ttl: ttl, weight: weight, flags: flags, tag: tag)
    }

    private func domain(_ request: SimRequest) throws -> SimDomain {
        guard let domain = domains[request.segments[2].lowercased()] else { throw APIFailure.notFound() }
        return domain
    }

    func getDomain(_ request: SimRequest) throws -> SimResponse {
        SimResponse(status: 200, body: .object([("domain", domainJSON(try domain(request)))]))
    }

    mutating func deleteDomain(_ request: SimRequest) throws -> SimResponse {
        let domain = try domain(request)
        domains[domain.name] = nil
        return SimResponse(status: 204)
    }

    func listRecords(_ request: SimRequest) throws -> SimResponse {
        let domain = try domain(request)
        let type = request.param("type")?.uppercased()
        let name = request.param("name")?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let items = domain.records.filter { record in
            if let type, record.type != type { return false }
            if let name {
                let fqdn = record.name == "@" ? domain.name : "\(record.name).\(domain.name)"
                if fqdn.lowercased() != name { return false }
            }
            return true
        }
        return page(items, key: "domain_records", request: request, render: recordJSON)
    }

    func getRecord(_ request: SimRequest) throws -> SimResponse {
        let domain = try domain(request)
        let id = try request.intSegment(4)
        guard let record = domain.records.first(where: { $0.id == id }) else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("domain_record", recordJSON(record))]))
    }

    mutating func createRecord(_ request: SimRequest) throws -> SimResponse {
        var domain = try domain(request)
        guard let body = request.body else { throw APIFailure.badRequest("error parsing request body") }
        var record = try validatedRecord(body, zone: domain.name, existing: nil)
        record.id = nextRecordID
        nextRecordID += 1
        domain.records.append(record)
        domains[domain.name] = domain
        return SimResponse(status: 201, body: .object([("domain_record", recordJSON(record))]), created: ["domain_record:\(record.id)"])
    }

    /// PUT replaces the record; PATCH changes only the fields it names.
    mutating func updateRecord(_ request: SimRequest, partial: Bool) throws -> SimResponse {
        var domain = try domain(request)
        let id = try request.intSegment(4)
        guard let index = domain.records.firstIndex(where: { $0.id == id }) else { throw APIFailure.notFound() }
        guard let body = request.body else { throw APIFailure.badRequest("error parsing request body") }
        let existing = domain.records[index]
        if existing.type == "SOA" {
            // Only the TTL of the SOA record can change.
            if let ttl = body["ttl"]?.intValue { domain.records[index].ttl = max(30, ttl) }
        } else {
            var record = try validatedRecord(body, zone: domain.name, existing: partial ? existing : nil, type: existing.type)
            record.id = id
            domain.records[index] = record
        }
        domains[domain.name] = domain
        return SimResponse(status: 200, body: .object([("domain_record", recordJSON(domain.records[index]))]))
    }

    mutating func deleteRecord(_ request: SimRequest) throws -> SimResponse {
        var domain = try domain(request)
        let id = try request.intSegment(4)
        guard let index = domain.records.firstIndex(where: { $0.id == id }) else { throw APIFailure.notFound() }
        if domain.records[index].type == "SOA" { throw APIFailure.unprocessable("SOA records cannot be deleted.") }
        domain.records.remove(at: index)
        domains[domain.name] = domain
        return SimResponse(status: 204)
    }

    /// Checks a record body the way DigitalOcean does and normalises it for storage.
    private func validatedRecord(_ body: JSON, zone: String, existing: SimRecord?, type fixedType: String? = nil) throws -> SimRecord {
        let type = (fixedType ?? body["type"]?.stringValue ?? existing?.type ?? "").uppercased()
        let valid = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT"]
        guard valid.contains(type) else { throw APIFailure.unprocessable("Type must be one of \(valid.joined(separator: ", "))") }
        var name = body["name"]?.stringValue ?? existing?.name ?? (type == "MX" ? "@" : "")
        guard var data = body["data"]?.stringValue ?? existing.map({ $0.data + (Self.needsDot(type) && $0.data != "@" ? "." : "") }) else {
            throw APIFailure.unprocessable("Data can't be blank")
        }
        if name.hasSuffix(".") { name.removeLast() }
        if name.lowercased() == zone { name = "@" } else if name.lowercased().hasSuffix("." + zone) { name = String(name.dropLast(zone.count + 1)) }
        guard !name.isEmpty else { throw APIFailure.unprocessable("Name can't be blank") }
        guard !data.isEmpty else { throw APIFailure.unprocessable("Data can't be blank") }
        if Self.needsDot(type) && data != "@" {
            guard data.hasSuffix(".") else { throw APIFailure.unprocessable("Data needs to end with a dot (.)") }
            data.removeLast()
        } else if ["NS", "SRV"].contains(type) && data.hasSuffix(".") {
            // Host names are stored (and read back) without the dot, as DigitalOcean answers them.
            data.removeLast()
        }
        let priority = body["priority"]?.intValue ?? existing?.priority
        let port = body["port"]?.intValue ?? existing?.port
        let weight = body["weight"]?.intValue ?? existing?.weight
        let flags = body["flags"]?.intValue ?? existing?.flags
        let tag = body["tag"]?.stringValue ?? existing?.tag
        switch type {
        case "MX" where priority == nil: throw APIFailure.unprocessable("Priority can't be blank")
        case "SRV" where priority == nil || port == nil || weight == nil: throw APIFailure.unprocessable("Priority, port and weight can't be blank")
        case "CAA" where flags == nil || tag == nil: throw APIFailure.unprocessable("Flags and tag can't be blank")
        case "A" where data.split(separator: ".").count != 4: throw APIFailure.unprocessable("Data must be a valid IPv4 address")
        default: break
        }
        for value in [priority, port, weight].compactMap({ $0 }) where !(0...65535).contains(value) {
            throw APIFailure.unprocessable("Priority, port and weight must be between 0 and 65535")
        }
        let ttl = max(30, body["ttl"]?.intValue ?? existing?.ttl ?? 1800)
        return SimRecord(
            id: 0, type: type, name: name, data: data, priority: ["MX", "SRV"].contains(type) ? priority : nil,
            port: type == "SRV" ? port : nil, ttl: ttl, weight: type == "SRV" ? weight : nil, flags: type == "CAA" ? flags : nil,
            tag: type == "CAA" ? tag : nil)
    }

    /// CNAME and MX data must end with a dot on write.
    static func needsDot(_ type: String) -> Bool { type == "CNAME" || type == "MX" }
}
