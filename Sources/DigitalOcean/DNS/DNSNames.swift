import Foundation

/// The one place that converts DNS record names and data between the forms DigitalOcean reads,
/// writes and lists.
///
/// - Record `name`s are relative to the zone (`www`, `@` for the apex); the list filter
///   `?name=` takes the fully qualified name (`www.example.com`).
/// - Data of host-name types (CNAME, MX, NS, SRV, and CAA values) must end with a dot on write
///   (else DigitalOcean answers 422 "Data needs to end with a dot (.)") and comes back without
///   it on read. `@` (the apex) is sent as is, and so is a CAA `iodef` URL.
/// - Comparisons strip the trailing dot and ignore case for host names.
public enum DNSNames {
    /// Record types whose data is a host name.
    public static let hostnameTypes: Set<String> = ["CNAME", "MX", "NS", "SRV"]

    /// The relative name DigitalOcean stores: `www.example.com`, `www.example.com.` and `www`
    /// give `www`; the zone itself (or `@`, or empty) gives `@`. Lowercased.
    public static func relativeName(_ name: String, domain: String) -> String {
        let zone = stripDot(domain).lowercased()
        var name = stripDot(name.trimmingCharacters(in: .whitespaces)).lowercased()
        if name.isEmpty || name == "@" || name == zone { return "@" }
        if name.hasSuffix("." + zone) { name.removeLast(zone.count + 1) }
        return name
    }

    /// The fully qualified name for the list filter: `www` in `example.com` gives
    /// `www.example.com`, `@` gives `example.com`.
    public static func fullyQualifiedName(_ name: String, domain: String) -> String {
        let relative = relativeName(name, domain: domain)
        let zone = stripDot(domain).lowercased()
        return relative == "@" ? zone : relative + "." + zone
    }

    /// Data as DigitalOcean must receive it: host-name data (and CAA issue values) with the
    /// trailing dot; everything else unchanged.
    public static func dataForWrite(type: String, data: String, caaTag: String? = nil) -> String {
        let type = type.uppercased()
        guard data != "@", needsDot(type: type, caaTag: caaTag), !data.hasSuffix(".") else { return data }
        return data + "."
    }

    /// Data normalised for comparison: host-name data without the trailing dot and lowercased;
    /// other data unchanged (TXT is case-sensitive).
    public static func comparableData(type: String, data: String, caaTag: String? = nil) -> String {
        let type = type.uppercased()
        guard needsDot(type: type, caaTag: caaTag) else { return data }
        return stripDot(data).lowercased()
    }

    /// Whether two record datas mean the same (after normalising dots and case).
    public static func sameData(type: String, _ left: String, _ right: String, caaTag: String? = nil) -> Bool {
        comparableData(type: type, data: left, caaTag: caaTag) == comparableData(type: type, data: right, caaTag: caaTag)
    }

    private static func needsDot(type: String, caaTag: String?) -> Bool {
        if hostnameTypes.contains(type) { return true }
        return type == "CAA" && caaTag?.lowercased() != "iodef"
    }

    private static func stripDot(_ text: String) -> String {
        var text = text
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
