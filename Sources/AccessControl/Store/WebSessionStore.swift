import Foundation

/// Where the dashboard's browser sessions live (`web_sessions`); one implementation per database
/// backend in `ArcadiaStorage`. A session is kept under the SHA-256 of its cookie's value, never
/// the value itself, so whoever can read the database cannot take over a browser's session.
public protocol WebSessionStore: Sendable {
    /// Stores a new session; false when one is already stored under `keyHash`. Sessions expired
    /// by `now` are removed on the way (as by ``upsertWebSession(keyHash:value:expiresAt:now:)``),
    /// so expired sessions last only until the next login.
    func insertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws -> Bool
    /// Stores or replaces a session (hummingbird-auth saves a new one this way); with
    /// `expiresAt` nil a stored session keeps its expiry. Sessions expired by `now` are removed
    /// on the way.
    func upsertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws
    /// The session stored under `keyHash` and its expiry, unless it has expired by `now`.
    func webSession(keyHash: String, now: Date) async throws -> (value: String, expiresAt: Date?)?
    /// Removes a session (logout); nothing when there is none.
    func deleteWebSession(keyHash: String) async throws
    /// How many sessions have not expired by `now`.
    func liveWebSessionCount(now: Date) async throws -> Int
}
