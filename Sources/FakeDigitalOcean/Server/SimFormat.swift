import Foundation

/// Formatting shared by the renderers.
enum SimFormat {
    /// `2020-07-21T18:37:44Z`, as DigitalOcean writes timestamps.
    static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A stable stand-in for a digest of `text` (FNV-1a, not cryptographic): `bytes` bytes in
    /// lowercase hex, joined by `separator` (SSH key fingerprints use `:`).
    static func hexDigest(_ text: String, bytes: Int, separator: String = "") -> String {
        var out: [String] = []
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var round: UInt64 = 0
        while out.count < bytes {
            if out.count % 8 == 0 {
                hash = 0xcbf2_9ce4_8422_2325 ^ round
                for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
                round += 1
            }
            out.append(String(format: "%02x", (hash >> UInt64((out.count % 8) * 8)) & 0xff))
        }
        return out.joined(separator: separator)
    }

    /// A random UUID in lowercase, from the seeded source.
    static func uuid(_ random: inout SeededRandom) -> String {
        let a = random.next()
        let b = random.next()
        let hex = String(format: "%016llx%016llx", a, b)
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}
