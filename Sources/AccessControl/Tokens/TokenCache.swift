import Foundation
import Synchronization

/// Live tokens recently authenticated, by the hash of their secret, for a few seconds: most API
/// requests then need no database lookup. Bounded; unknown and revoked tokens are never kept.
final class TokenCache: Sendable {
    private struct Entry {
        var token: AccessToken
        var until: Date
    }

    let lifetime: TimeInterval
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: TimeInterval, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func token(_ hash: String, now: Date = Date()) -> AccessToken? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.until > now else {
                entries[hash] = nil
                return nil
            }
            return entry.token
        }
    }

    func remember(_ token: AccessToken, hash: String, now: Date = Date()) {
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.until > now } }
            guard entries.count < capacity else { return }
            entries[hash] = Entry(token: token, until: now.addingTimeInterval(lifetime))
        }
    }
}
