extension KeyedDecodingContainer {
    /// A region's slug, whether DigitalOcean writes the region as a slug (`"nyc3"`: database
    /// clusters, Kubernetes clusters, VPCs) or as an object (`{"slug": "nyc3", …}`: load balancers,
    /// apps). Absent, `null` or an object without a slug reads as `nil`.
    func decodeRegionSlugIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let slug = try? decode(String.self, forKey: key) { return slug }
        return try decode(RegionSlugObject.self, forKey: key).slug
    }

    /// A list that DigitalOcean may leave out or send as `null` (tags, ids): empty then.
    func decodeListIfPresent<Item: Decodable>(_ type: [Item].Type, forKey key: Key) throws -> [Item] {
        try decodeIfPresent(type, forKey: key) ?? []
    }
}

/// The part of a region object a slug is read from.
private struct RegionSlugObject: Decodable {
    var slug: String?
}
