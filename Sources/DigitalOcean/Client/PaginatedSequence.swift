import Foundation
import NIOHTTP1

/// A DigitalOcean collection read page by page as one sequence of items.
///
/// The walk asks for `per_page` = the configured page size (200), keeps the caller's query
/// parameters, and follows `links.pages.next` until it is absent; `links: {}` and a missing
/// `links` both end the walk. Items can be added or removed between pages (DigitalOcean has no
/// snapshot isolation), so items are de-duplicated by id. `meta.total` is not trusted to stop.
///
/// A delete on an earlier page shifts every later item back by one, so an item can slide past a
/// page boundary unseen; a create at the same time keeps `meta.total` unchanged, so nothing in the
/// answers tells. A walk over more than one page is therefore confirmed by a second walk from page
/// 1 that yields only items not seen yet, and walks on while a walk finds new items or `meta.total`
/// changed, up to ``maxPasses`` walks in all. A single page is one consistent answer and needs none.
/// ``walkingOnce()`` trades that certainty for cost: one walk, and a second one only when
/// `meta.total` moved during the first (a cheap signal that misses a delete and a create that
/// cancel out).
///
/// Items without an id of their own (a zone's SOA record, an invoice line) are never merged and
/// are yielded by the first walk only: a confirming walk cannot tell them from those it has seen.
/// Next links are rebased on the client's base URL: the token never goes to another host.
public struct PaginatedSequence<Element: Decodable & Sendable & Identifiable>: AsyncSequence, Sendable where Element.ID: Sendable {
    let client: DigitalOceanClient
    let path: String
    let query: [(String, String)]
    let key: String

    /// Walks at most this many times when the collection changes under the walk (the default of
    /// every sequence).
    public static var maxPasses: Int { 3 }

    /// Walks at most this many times: ``maxPasses`` (the type's) unless ``walkingOnce()`` made
    /// this sequence. With 1, a walk whose `meta.total` changed is still walked a second time.
    public private(set) var maxPasses: Int = PaginatedSequence.maxPasses

    /// This sequence, walked once: no confirming walk unless `meta.total` changed during the first,
    /// then one more. For frequent reads (an inventory sync) where a rare miss is repaired by the
    /// next read, at half the requests of a confirmed walk.
    public func walkingOnce() -> PaginatedSequence {
        var copy = self
        copy.maxPasses = 1
        return copy
    }

    /// Reads every page and returns all items.
    public func collect() async throws -> [Element] {
        var items: [Element] = []
        for try await item in self { items.append(item) }
        return items
    }

    public func makeAsyncIterator() -> Iterator {
        var query = query.filter { $0.0 != "per_page" && $0.0 != "page" }
        query.append(("per_page", String(client.configuration.pageSize)))
        return Iterator(
            client: client, firstURL: client.configuration.baseURL + path + DigitalOceanClient.queryString(query), operation: "GET \(path)",
            key: key, maxPasses: maxPasses)
    }

    /// Fetches pages lazily.
    public struct Iterator: AsyncIteratorProtocol {
        let client: DigitalOceanClient
        let firstURL: String
        var nextURL: String?
        let operation: String
        var totalAtStart: Int?
        var changed = false
        /// Items yielded by the current walk.
        var newInPass = 0
        /// Pages of the current walk.
        var pagesInPass = 0
        let key: String
        /// Walks allowed (see ``PaginatedSequence/maxPasses``).
        let maxPasses: Int
        var buffer: [Element] = []
        var position = 0
        var seen: Set<Element.ID> = []
        /// Pages fetched so far.
        public private(set) var pages = 0
        /// Walks started so far (more than one when the collection changed mid-walk).
        public private(set) var passes = 1

        init(client: DigitalOceanClient, firstURL: String, operation: String, key: String, maxPasses: Int = PaginatedSequence.maxPasses) {
            self.client = client
            self.firstURL = firstURL
            self.nextURL = firstURL
            self.operation = operation
            self.key = key
            self.maxPasses = Swift.max(1, maxPasses)
        }

        public mutating func next() async throws -> Element? {
            while true {
                while position < buffer.count {
                    let item = buffer[position]
                    position += 1
                    if Self.isAbsent(item.id) {
                        // Items without an id of their own (an SOA record, an invoice line) are never
                        // merged; a confirming walk cannot tell them from those already yielded.
                        guard passes == 1 else { continue }
                        return item
                    }
                    if seen.insert(item.id).inserted {
                        newInPass += 1
                        return item
                    }
                }
                // A walk that moved `meta.total` earns a second one even when walking once.
                let allowed = changed ? Swift.max(maxPasses, 2) : maxPasses
                if nextURL == nil && passes < allowed && pagesInPass > 1 && (passes == 1 || newInPass > 0 || changed) {
                    passes += 1
                    changed = false
                    newInPass = 0
                    pagesInPass = 0
                    totalAtStart = nil
                    nextURL = firstURL
                }
                guard let url = nextURL else { return nil }
                let response = try await client.send(method: .GET, url: url, operation: operation, payload: nil)
                pages += 1
                pagesInPass += 1
                let page = try client.decode(Page<Element>.self, from: response, key: nil, rootKey: key)
                if let total = page.total {
                    if let start = totalAtStart, start != total { changed = true }
                    totalAtStart = totalAtStart ?? total
                }
                buffer = page.items
                position = 0
                nextURL = page.next.flatMap { rebase($0) }
                if nextURL == url { nextURL = nil }  // a link to itself would never end
            }
        }

        /// Whether an id is an optional without a value.
        static func isAbsent(_ id: Element.ID) -> Bool {
            let mirror = Mirror(reflecting: id)
            return mirror.displayStyle == .optional && mirror.children.isEmpty
        }

        /// Keeps the path and query of a `links.pages.next` URL and puts it on the base URL.
        private func rebase(_ link: String) -> String? {
            guard let components = URLComponents(string: link), !components.percentEncodedPath.isEmpty else { return nil }
            var rebased = client.configuration.baseURL + components.percentEncodedPath
            if let query = components.percentEncodedQuery, !query.isEmpty { rebased += "?" + query }
            return rebased
        }
    }
}
