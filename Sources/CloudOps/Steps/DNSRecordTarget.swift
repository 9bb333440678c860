import DigitalOcean
import Foundation
import SagaEngine

/// The record a DNS step works on, from the saga's inputs, and how to find it.
struct DNSRecordTarget {
    let domain: String
    let type: String
    /// Relative to the zone, lowercased; `@` for the apex.
    let name: String

    init(_ context: StepContext) throws {
        domain = try context.requiredInput("dns_domain").lowercased()
        type = try context.requiredInput("dns_record_type").uppercased()
        name = DNSNames.relativeName(try context.requiredInput("dns_record_name"), domain: domain)
    }

    var fullyQualifiedName: String { DNSNames.fullyQualifiedName(name, domain: domain) }
    var key: String { ResourceKind.recordKey(domain: domain, type: type, name: name) }
    var lockKey: String { "dns:\(domain)/\(type)/\(name)" }

    /// Every record of this type and name, across all pages (records without an id, such as the
    /// zone's SOA, cannot be changed and are left out).
    func records(_ client: DigitalOceanClient) async throws -> [Record] {
        try await client.domainRecords(domain: domain, name: fullyQualifiedName, type: type).collect().compactMap(Record.init)
            .filter { $0.record.type.uppercased() == type && DNSNames.relativeName($0.name, domain: domain) == name }
    }

    /// A record that has an id, with its optional fields read.
    struct Record {
        let record: DomainRecord
        let id: Int
        var name: String { record.name ?? "@" }
        var data: String { record.data ?? "" }
        var ttl: Int { record.ttl ?? 1800 }
        var priority: Int? { record.priority }
        var port: Int? { record.port }
        var weight: Int? { record.weight }

        init?(_ record: DomainRecord) {
            guard let id = record.id else { return nil }
            self.record = record
            self.id = id
        }
    }

    /// A record as a context value, to restore it later.
    static func stash(_ found: Record) -> JSONValue {
        let record = found.record
        var object: [String: JSONValue] = [
            "id": .int(found.id), "type": .string(record.type), "name": .string(found.name), "data": .string(found.data), "ttl": .int(found.ttl),
        ]
        if let priority = record.priority { object["priority"] = .int(priority) }
        if let port = record.port { object["port"] = .int(port) }
        if let weight = record.weight { object["weight"] = .int(weight) }
        if let flags = record.flags { object["flags"] = .int(flags) }
        if let tag = record.tag { object["tag"] = .string(tag) }
        return .object(object)
    }

    /// The create/update body that puts a stashed record back.
    static func request(from stash: JSONValue) -> DomainRecordRequest? {
        guard let object = stash.objectValue, let type = object["type"]?.stringValue, let name = object["name"]?.stringValue,
            let data = object["data"]?.stringValue
        else { return nil }
        let tag = object["tag"]?.stringValue
        return DomainRecordRequest(
            type: type, name: name, data: DNSNames.dataForWrite(type: type, data: data, caaTag: tag), priority: object["priority"]?.intValue,
            port: object["port"]?.intValue, ttl: object["ttl"]?.intValue, weight: object["weight"]?.intValue, flags: object["flags"]?.intValue,
            tag: tag)
    }
}
