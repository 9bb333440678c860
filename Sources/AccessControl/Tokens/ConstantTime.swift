/// Comparisons of secrets whose time does not depend on where the values differ.
public enum ConstantTime {
    /// Whether two strings are equal, in time that depends only on their lengths.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
