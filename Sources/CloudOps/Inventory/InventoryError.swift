/// An inventory or drift failure, with a stable code.
public struct InventoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// Another process holds the sync lease.
        public static let syncRunning = Code(name: "sync_running")
        /// This sync's lease ran out (it stalled) and another may have taken over: it stops writing.
        public static let leaseLost = Code(name: "lease_lost")
        /// No inventory token configured.
        public static let noToken = Code(name: "no_token")
        /// An unknown kind or drift item.
        public static let unknown = Code(name: "unknown")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
