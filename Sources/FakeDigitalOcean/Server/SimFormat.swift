import Foundation

/// Formatting shared by the renderers.
enum SimFormat {
    /// `2020-07-21T18:37:44Z`, as DigitalOcean writes timestamps.
    static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
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
