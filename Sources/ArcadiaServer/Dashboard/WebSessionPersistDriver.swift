import AccessControl
package import Foundation
import Hummingbird
import SagaEngine

/// hummingbird-auth's session storage kept in the database (``WebSessionStore``): dashboard
/// sessions survive a restart, every server process on the database shares them, and a logout
/// ends one for good. A key (which holds the session cookie's value) is stored only as its
/// SHA-256; values are JSON.
package struct WebSessionPersistDriver: PersistDriver {
    let store: any WebSessionStore
    let now: @Sendable () -> Date

    /// A driver over `store`, telling the time by `now`.
    package init(store: any WebSessionStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    package func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let time = now()
        let stored = try await store.insertWebSession(
            keyHash: Self.hash(key), value: try Self.encode(value), expiresAt: expires.map { time + $0.seconds }, now: time)
        guard stored else { throw PersistError.duplicate }
    }

    package func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let time = now()
        try await store.upsertWebSession(
            keyHash: Self.hash(key), value: try Self.encode(value), expiresAt: expires.map { time + $0.seconds }, now: time)
    }

    package func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    package func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let time = now()
        guard let (value, expiresAt) = try await store.webSession(keyHash: Self.hash(key), now: time) else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: Data(value.utf8)) else { throw PersistError.invalidConversion }
        return (object, expiresAt.map { .milliseconds(Int64(($0.timeIntervalSince(time) * 1000).rounded(.down))) })
    }

    package func remove(key: String) async throws {
        try await store.deleteWebSession(keyHash: Self.hash(key))
    }

    /// The stored form of a key: its SHA-256, as API token secrets are stored.
    package static func hash(_ key: String) -> String { TokenIssuer.hash(key) }

    private static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
