import Crypto
public import Foundation

/// Browser sessions of the dashboard, signed rather than stored: a session cookie names the API
/// token it was opened with, when it expires and a random nonce, and carries an HMAC-SHA256 of
/// those under a key derived from the server's session secret (never in the database) and the
/// token's stored hash. Server processes sharing the secret accept each other's sessions, a
/// restart keeps them, revoking the token ends every session opened with it, and someone who can
/// read the database still cannot forge one. The CSRF token of a session is derived from the same
/// key and nonce.
public struct SessionSigner: Sendable {
    /// A verified session.
    public struct Session: Sendable, Hashable {
        /// The token the session was opened with (live when verified).
        public var token: AccessToken
        /// The value forms must carry (`csrf`).
        public var csrf: String
        public var expiresAt: Date
    }

    let store: any AccessTokenStore
    let secret: SymmetricKey
    /// How long a session lasts.
    public let lifetime: TimeInterval

    /// Creates a signer over the token store with the server's session `secret` (nil: a random
    /// one, so sessions last only as long as this process).
    public init(store: any AccessTokenStore, secret: String?, lifetime: TimeInterval = 12 * 3600) {
        self.store = store
        self.secret = secret.map { SymmetricKey(data: SHA256.hash(data: Data($0.utf8))) } ?? SymmetricKey(size: .bits256)
        self.lifetime = lifetime
    }

    /// Opens a session for a live token; answers the cookie value and the session.
    public func open(_ token: AccessToken, now: Date = Date()) async throws -> (cookie: String, session: Session) {
        guard let (stored, hash) = try await store.tokenWithHash(id: token.id), stored.revokedAt == nil else {
            throw AccessError(.invalidToken, "the token is not known or was revoked")
        }
        let expires = Int(now.timeIntervalSince1970 + lifetime)
        var generator = SystemRandomNumberGenerator()
        let nonce = TokenIssuer.base64URL((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let payload = "\(stored.id.uuidString.lowercased()).\(expires).\(nonce)"
        let cookie = payload + "." + mac("session|" + payload, hash: hash)
        return (cookie, Session(token: stored, csrf: mac("csrf|" + nonce, hash: hash), expiresAt: Date(timeIntervalSince1970: Double(expires))))
    }

    /// The session a cookie value names, if its signature holds, it has not expired and its
    /// token is live; nil otherwise (the caller asks the browser to log in again).
    public func verify(_ cookie: String, now: Date = Date()) async throws -> Session? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // Expired, or claiming more than one lifetime ahead: no session.
        guard parts.count == 4, let id = UUID(uuidString: parts[0]), let expires = Int(parts[1]),
            Double(expires) > now.timeIntervalSince1970, Double(expires) <= now.timeIntervalSince1970 + lifetime + 60
        else { return nil }
        guard let (token, hash) = try await store.tokenWithHash(id: id), token.revokedAt == nil else { return nil }
        let expected = mac("session|" + parts[0...2].joined(separator: "."), hash: hash)
        guard Self.constantTimeEqual(expected, parts[3]) else { return nil }
        return Session(token: token, csrf: mac("csrf|" + parts[2], hash: hash), expiresAt: Date(timeIntervalSince1970: Double(expires)))
    }

    /// Whether two strings are equal, in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The MAC of `message` under the token's key: HMAC(HMAC(secret, token hash), message).
    private func mac(_ message: String, hash: String) -> String {
        let key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(("arcadia-session|" + hash).utf8), using: secret))
        return TokenIssuer.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)))
    }
}
