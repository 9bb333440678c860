import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/certificates`, optionally only those of one name.
    public func certificates(name: String? = nil) -> PaginatedSequence<Certificate> {
        collection(Certificate.self, "/v2/certificates", query: name.map { [("name", $0)] } ?? [], key: "certificates")
    }

    /// `GET /v2/certificates/{certificate_id}`.
    public func certificate(id: String) async throws -> Certificate {
        try await object(Certificate.self, .GET, "/v2/certificates/\(id)", key: "certificate")
    }
}
