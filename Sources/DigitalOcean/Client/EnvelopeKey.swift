/// A coding key chosen at run time: the root key of an envelope or page.
struct EnvelopeKey: CodingKey {
    static let userInfoKey = CodingUserInfoKey(rawValue: "arcadia.digitalocean.root-key")!

    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// The root key the caller put in `userInfo`, converted like every other key.
    static func root(in decoder: any Decoder) -> EnvelopeKey {
        let snake = decoder.userInfo[userInfoKey] as? String ?? ""
        return EnvelopeKey(stringValue: camelCased(snake))
    }

    /// `domain_records` → `domainRecords`, as `convertFromSnakeCase` does.
    static func camelCased(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        guard let first = parts.first else { return snake }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
