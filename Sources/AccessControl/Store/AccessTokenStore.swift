import Foundation

/// Where API tokens live (`api_tokens`); one implementation per database backend in
/// `ArcadiaStorage`. Only hashes are stored.
public protocol AccessTokenStore: Sendable {
    /// Stores a new token under the SHA-256 hash of its secret.
    func insertToken(_ token: AccessToken, secretHash: String) async throws
    /// The token whose secret hashes to `secretHash`, revoked or not.
    func token(secretHash: String) async throws -> AccessToken?
    /// The token with this id and the hash of its secret (which signs its browser sessions).
    func tokenWithHash(id: UUID) async throws -> (token: AccessToken, secretHash: String)?
    /// Every token, newest first.
    func tokens() async throws -> [AccessToken]
    /// Revokes a token; false when there is no such live token.
    func revokeToken(id: UUID, at: Date) async throws -> Bool
    /// Records a use (at most once a minute is enough for callers to ask).
    func touchToken(id: UUID, at: Date) async throws
    /// Stores `token` only if no token was ever stored (live or revoked), as one decision even
    /// when several processes start at once; false when there was one. The first start of a
    /// server makes its admin token this way.
    func insertFirstToken(_ token: AccessToken, secretHash: String) async throws -> Bool
}
