import Foundation

/// An optional `.env` file (`ARCADIA_ENV_FILE`, default `./.env`): `KEY=VALUE` lines (`export `,
/// quotes and `#` comments allowed) that fill in variables the environment does not already set.
/// The environment always wins; values are never printed.
enum DotEnv {
    /// Loads the file if it exists; returns the names it set.
    @discardableResult
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let path = environment["ARCADIA_ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? ".env"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var set: [String] = []
        for (key, value) in parse(text) where environment[key] == nil {
            setenv(key, value, 1)
            set.append(key)
        }
        return set
    }

    /// The assignments of a `.env` text, in order.
    static func parse(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            pairs.append((key, value))
        }
        return pairs
    }
}
