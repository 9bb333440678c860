import Crypto
import Foundation

/// Makes and checks API tokens. A secret is `arc_` and 43 characters of base64url (32 random
/// bytes from the system's CSPRNG); it is shown once, when issued. The store keeps its SHA-256
/// hash (a fast hash is enough for secrets of this entropy) and its first 8 characters.
public struct TokenIssuer: Sendable {
    let store: any AccessTokenStore
    /// Live tokens recently looked up, by secret hash (nil: every request asks the store).
    let cache: TokenCache?

    /// Creates an issuer over a store; with `cacheFor` seconds above 0, a token authenticated
    /// once is not looked up again for that long (a revocation then takes up to that long).
    public init(store: any AccessTokenStore, cacheFor seconds: Double = 0) {
        self.store = store
        cache = seconds > 0 ? TokenCache(lifetime: seconds) : nil
    }

    /// Issues a token; returns its record and the secret (shown once, never stored).
    public func issue(name: String, role: Role, tenantID: String? = nil, now: Date = Date()) async throws -> (token: AccessToken, secret: String) {
        let tenant = tenantID.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        switch (role, tenant) {
        case (.tenant, nil):
            throw AccessError(.badRequest, "a tenant token needs the tenant it is scoped to (--tenant T)")
        case (.tenant, _), (_, nil):
            break
        case (_, .some):
            throw AccessError(.badRequest, "only a tenant token is scoped to a tenant; role \(role.rawValue) sees every tenant")
        }
        guard !name.isEmpty, name.count <= 100 else { throw AccessError(.badRequest, "a token's name must be 1 to 100 characters") }
        let (token, secret) = Self.make(name: name, role: role, tenantID: tenant, now: now)
        try await store.insertToken(token, secretHash: Self.hash(secret))
        return (token, secret)
    }

    /// Issues the initial admin token if no token was ever issued (a first start); nil
    /// otherwise. Several servers starting together on an empty database make one between them.
    public func issueFirstAdmin(now: Date = Date()) async throws -> (token: AccessToken, secret: String)? {
        let (token, secret) = Self.make(name: "initial admin", role: .admin, tenantID: nil, now: now)
        guard try await store.insertFirstToken(token, secretHash: Self.hash(secret)) else { return nil }
        return (token, secret)
    }

    /// A new token and its secret (32 bytes from the system's CSPRNG).
    private static func make(name: String, role: Role, tenantID: String?, now: Date) -> (token: AccessToken, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = "arc_" + Self.base64URL(bytes)
        return (AccessToken(name: name, role: role, tenantID: tenantID, prefix: String(secret.prefix(8)), createdAt: now), secret)
    }

    /// The live token a secret names; throws ``AccessError`` (`invalid_token`) otherwise. The
    /// message never repeats the secret.
    public func authenticate(_ secret: String) async throws -> AccessToken {
        guard secret.hasPrefix("arc_"), secret.count == 47, secret.utf8.allSatisfy({ Self.isBase64URL($0) || $0 == UInt8(ascii: "_") }) else {
            throw AccessError(.invalidToken, "the token is malformed: Arcadia tokens look like arc_ followed by 43 characters")
        }
        let hash = Self.hash(secret)
        if let cached = cache?.token(hash) { return cached }
        guard let token = try await store.token(secretHash: hash) else {
            throw AccessError(.invalidToken, "the token is not known (create one with `arcadia token create`)")
        }
        guard token.revokedAt == nil else { throw AccessError(.invalidToken, "the token \(token.prefix)… was revoked") }
        cache?.remember(token, hash: hash)
        return token
    }

    /// Records that a token was used, at most once a minute per token (a best effort: a failure
    /// to record does not refuse the request).
    public func recordUse(_ token: AccessToken, now: Date = Date()) async {
        if let last = token.lastUsedAt, now.timeIntervalSince(last) < 60 { return }
        try? await store.touchToken(id: token.id, at: now)
    }

    /// The SHA-256 of a secret, in lowercase hex.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
    }
}
