import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/domains`.
    public func domains() -> PaginatedSequence<Domain> {
        collection(Domain.self, "/v2/domains", key: "domains")
    }

    /// `GET /v2/domains/{name}`.
    public func domain(name: String) async throws -> Domain {
        try await object(Domain.self, .GET, "/v2/domains/\(name)", key: "domain")
    }

    /// `POST /v2/domains` (201). DigitalOcean adds the SOA and NS records; with `ipAddress` also
    /// an apex A record.
    public func createDomain(name: String, ipAddress: String? = nil) async throws -> Domain {
        struct Body: Encodable, Sendable {
            var name: String
            var ipAddress: String?
        }
        return try await object(Domain.self, .POST, "/v2/domains", body: Body(name: name, ipAddress: ipAddress), key: "domain")
    }

    /// `DELETE /v2/domains/{name}`.
    public func deleteDomain(name: String) async throws {
        try await discard(.DELETE, "/v2/domains/\(name)")
    }

    /// `GET /v2/domains/{domain}/records`. `name` filters by **fully qualified** name
    /// (`www.example.com`), `type` by record type.
    public func domainRecords(domain: String, name: String? = nil, type: String? = nil) -> PaginatedSequence<DomainRecord> {
        var query: [(String, String)] = []
        if let name { query.append(("name", name)) }
        if let type { query.append(("type", type)) }
        return collection(DomainRecord.self, "/v2/domains/\(domain)/records", query: query, key: "domain_records")
    }

    /// `GET /v2/domains/{domain}/records/{id}`.
    public func domainRecord(domain: String, id: Int) async throws -> DomainRecord {
        try await object(DomainRecord.self, .GET, "/v2/domains/\(domain)/records/\(id)", key: "domain_record")
    }

    /// `POST /v2/domains/{domain}/records` (201).
    public func createDomainRecord(domain: String, _ record: DomainRecordRequest) async throws -> DomainRecord {
        try await object(DomainRecord.self, .POST, "/v2/domains/\(domain)/records", body: record, key: "domain_record")
    }

    /// `PUT /v2/domains/{domain}/records/{id}`. CNAME/MX data needs its trailing dot again.
    public func updateDomainRecord(domain: String, id: Int, _ record: DomainRecordRequest) async throws -> DomainRecord {
        try await object(DomainRecord.self, .PUT, "/v2/domains/\(domain)/records/\(id)", body: record, key: "domain_record")
    }

    /// `DELETE /v2/domains/{domain}/records/{id}`.
    public func deleteDomainRecord(domain: String, id: Int) async throws {
        try await discard(.DELETE, "/v2/domains/\(domain)/records/\(id)")
    }
}
