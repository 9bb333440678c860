import Foundation

/// DigitalOcean wraps single objects under a singular key (`{"droplet": {...}}`); the key is
/// passed in the decoder's `userInfo`.
struct Envelope<Value: Decodable>: Decodable {
    var value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeKey.self)
        value = try container.decode(Value.self, forKey: EnvelopeKey.root(in: decoder))
    }
}
