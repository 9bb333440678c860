/// One page of a collection: the items under the root key, `links.pages.next` and `meta.total`.
struct Page<Item: Decodable>: Decodable {
    var items: [Item]
    var next: String?
    var total: Int?

    private struct Links: Decodable {
        struct Pages: Decodable { var next: String? }
        var pages: Pages?
    }
    private struct Meta: Decodable { var total: Int? }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EnvelopeKey.self)
        // A page without its root key is an error: read as an empty list, an inventory would take
        // it for "everything deleted".
        items = try container.decode([Item].self, forKey: EnvelopeKey.root(in: decoder))
        let links = try container.decodeIfPresent(Links.self, forKey: EnvelopeKey(stringValue: "links"))
        next = links?.pages?.next
        total = try container.decodeIfPresent(Meta.self, forKey: EnvelopeKey(stringValue: "meta"))?.total
    }
}
