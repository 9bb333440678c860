import Foundation

/// A DigitalOcean API token together with its purpose.
///
/// The secret is only ever read to build the `Authorization` header: `description`,
/// `debugDescription` and reflection all show a redacted form, so a token cannot reach a log
/// line, an error message or a test failure by accident.
public struct APIToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What the token may be used for.
    public let purpose: TokenPurpose
    private let secret: String

    /// Creates a token. Leading and trailing whitespace (a common copy-paste accident) is removed.
    public init(_ secret: String, purpose: TokenPurpose) {
        self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        self.purpose = purpose
    }

    /// Whether the token has any characters at all.
    public var isEmpty: Bool { secret.isEmpty }

    /// The value of the `Authorization` header for this token.
    var authorizationHeader: String { "Bearer \(secret)" }

    /// A key that identifies the token inside this process (rate limits are per token).
    var limiterKey: String { secret }

    public var description: String { "APIToken(\(purpose), redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["purpose": purpose]) }
}
