import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/account/keys`.
    public func sshKeys() -> PaginatedSequence<SSHKey> {
        collection(SSHKey.self, "/v2/account/keys", key: "ssh_keys")
    }

    /// `GET /v2/account/keys/{ssh_key_identifier}` by id.
    public func sshKey(id: Int) async throws -> SSHKey {
        try await object(SSHKey.self, .GET, "/v2/account/keys/\(id)", key: "ssh_key")
    }

    /// `GET /v2/account/keys/{ssh_key_identifier}` by fingerprint.
    public func sshKey(fingerprint: String) async throws -> SSHKey {
        try await object(SSHKey.self, .GET, "/v2/account/keys/\(fingerprint)", key: "ssh_key")
    }
}
