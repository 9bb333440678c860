import Foundation

/// Where the dashboard's browser sessions live (`web_sessions`); one implementation per database
/// backend in `ArcadiaStorage`. A session is kept under the SHA-256 of its cookie's value, never
/// the value itself, so whoever can read the database cannot take over a browser's session.
public protocol WebSessionStore: Sendable {
    /// Stores a new session; false when one is already stored under `keyHash`. Sessions expired
    /// by `now` are removed on the way, so the table holds only live ones and those since.
    func insertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws -> Bool
    /// Stores or replaces a session; with `expiresAt` nil a stored session keeps its expiry.
    func upsertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws
    /// The session stored under `keyHash` and its expiry, unless it has expired by `now`.
    func webSession(keyHash: String, now: Date) async throws -> (value: String, expiresAt: Date?)?
    /// Removes a session (logout); nothing when there is none.
    func deleteWebSession(keyHash: String) async throws
    /// How many sessions have not expired by `now`.
    func liveWebSessionCount(now: Date) async throws -> Int
}
