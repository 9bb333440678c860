/// A public SSH key of the account, for droplet creates.
public struct SSHKey: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    /// The key's MD5 fingerprint (`3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa`); a key can be
    /// read and deleted by it as well as by id.
    public var fingerprint: String?
    public var name: String?
    public var publicKey: String?
}
