import Foundation

/// A droplet (virtual machine).
public struct Droplet: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var name: String
    /// Memory in MiB.
    public var memory: Int
    public var vcpus: Int
    /// Disk in GB.
    public var disk: Int
    /// Whether an action is running on the droplet; a second action gets a 422 meanwhile.
    public var locked: Bool
    /// `new`, `active`, `off` or `archive`.
    public var status: String
    public var createdAt: Date
    public var features: [String]
    public var backupIDs: [Int]
    public var snapshotIDs: [Int]
    public var image: Image
    public var volumeIDs: [String]
    public var size: Size
    public var sizeSlug: String
    public var networks: Networks
    public var region: Region
    public var tags: [String]
    public var vpcUUID: String?

    /// The droplet's IP addresses.
    public struct Networks: Decodable, Sendable, Hashable {
        public var v4: [Address]
        public var v6: [Address]

        /// One address; `netmask` is a dotted mask on v4 and a prefix length on v6.
        public struct Address: Decodable, Sendable, Hashable {
            public var ipAddress: String
            public var gateway: String?
            /// `public` or `private`.
            public var type: String
        }
    }

    /// The first public IPv4 address, once networking is set up.
    public var publicIPv4: String? { networks.v4.first { $0.type == "public" }?.ipAddress }

    private enum CodingKeys: String, CodingKey {
        case id, name, memory, vcpus, disk, locked, status, createdAt, features, snapshotIDs = "snapshotIds", image, size, sizeSlug
        case networks, region, tags, backupIDs = "backupIds", volumeIDs = "volumeIds", vpcUUID = "vpcUuid"
    }
}
