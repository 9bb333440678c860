import Foundation

/// The generic handlers behind every ``SimCollection``: list (paginated with DigitalOcean's root
/// keys, `links` and `meta.total`, or in one piece), get, create with required-field checks, and
/// delete, with droplet-like lags for the eventually consistent kinds.
extension World {
    /// The stored objects of a collection, deleted ones included.
    func objects(of kind: SimCollection) -> [String: SimObject] { inventory[kind.path] ?? [:] }

    /// The live objects of a collection, in creation order.
    func liveObjects(of kind: SimCollection) -> [SimObject] {
        objects(of: kind).values.filter { $0.deletedAt == nil }.sorted { $0.sequence < $1.sequence }
    }

    /// Whether an object shows in its listing at `now`.
    func isListed(_ object: SimObject, of kind: SimCollection, now: Date) -> Bool {
        if object.visibleAt > now { return false }
        if let deletedAt = object.deletedAt {
            return kind.eventuallyConsistent && deletedAt.addingTimeInterval(settings.lags.deleteLinger) > now
        }
        return true
    }

    /// The live object named `key` (its id, or its ``SimCollection/alternateKey``), or 404.
    /// `fresh` objects of an eventually consistent kind are 404 to a GET for `lags.getNotFound`.
    func liveObject(_ kind: SimCollection, _ key: String, now: Date, fresh: Bool = false) throws -> SimObject {
        let stored = objects(of: kind)
        var found = stored[key].flatMap { $0.deletedAt == nil ? $0 : nil }
        if found == nil, let alternate = kind.alternateKey {
            found = stored.values.first { $0.deletedAt == nil && $0.json[alternate]?.stringValue == key }
        }
        guard let object = found else { throw APIFailure.notFound() }
        if fresh && kind.eventuallyConsistent && object.createdAt.addingTimeInterval(settings.lags.getNotFound) > now {
            throw APIFailure.notFound()
        }
        return object
    }

    /// Whether the object `key` of `kind` exists and is not deleted (for project assignments).
    func objectExists(_ kind: SimCollection, _ key: String) -> Bool {
        objects(of: kind)[key].map { $0.deletedAt == nil } ?? false
    }

    func listObjects(_ kind: SimCollection, _ request: SimRequest) -> SimResponse {
        let items = objects(of: kind).values.filter { isListed($0, of: kind, now: request.now) && kind.filter($0, request) }
            .sorted { $0.sequence < $1.sequence }
        let render = { (object: SimObject) in kind.render(self, object, request.now) }
        guard kind.paginated else { return SimResponse(status: 200, body: .object([(kind.plural, .array(items.map(render)))])) }
        return page(items, key: kind.plural, request: request, render: render)
    }

    func getObject(_ kind: SimCollection, _ request: SimRequest) throws -> SimResponse {
        let object = try liveObject(kind, request.segments[kind.idSegment], now: request.now, fresh: true)
        return SimResponse(status: 200, body: .object([(kind.singular, kind.render(self, object, request.now))]))
    }

    mutating func createObject(_ kind: SimCollection, _ request: SimRequest) throws -> SimResponse {
        guard let body = request.body, case .object = body else { throw APIFailure.badRequest("error parsing request body") }
        for path in kind.required where !Self.isPresent(body, path: path) {
            throw APIFailure.unprocessable("\(path) is required")
        }
        if kind.singleton, !liveObjects(of: kind).isEmpty {
            throw APIFailure.unprocessable("the account already has a \(kind.singular); delete it first")
        }
        let id: String
        switch kind.idStyle {
        case .uuid:
            id = SimFormat.uuid(&random)
        case .int:
            id = String(nextObjectID)
            nextObjectID += 1
        }
        let json = try kind.build(&self, request, id)
        // A singleton is named by its `name` (the registry's identity).
        let key = kind.singleton ? json["name"]?.stringValue ?? id : id
        let lag = kind.eventuallyConsistent ? settings.lags.listVisibility : 0
        let object = SimObject(
            id: key, json: json, createdAt: request.now, visibleAt: request.now.addingTimeInterval(lag), sequence: nextObjectSequence)
        nextObjectSequence += 1
        inventory[kind.path, default: [:]][key] = object
        return SimResponse(
            status: kind.createStatus, body: .object([(kind.singular, kind.render(self, object, request.now))]), created: ["\(kind.singular):\(key)"])
    }

    mutating func deleteObject(_ kind: SimCollection, _ request: SimRequest) throws -> SimResponse {
        let object = try liveObject(kind, request.segments[kind.idSegment], now: request.now)
        try kind.beforeDelete(&self, object)
        inventory[kind.path]?[object.id]?.deletedAt = request.now
        switch kind.deleteAnswer {
        case .noContent: return SimResponse(status: 204)
        case .id: return SimResponse(status: 200, body: .object([("id", .string(object.id))]))
        }
    }

    func getSingleton(_ kind: SimCollection, _ request: SimRequest) throws -> SimResponse {
        guard let object = liveObjects(of: kind).first else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([(kind.singular, kind.render(self, object, request.now))]))
    }

    mutating func deleteSingleton(_ kind: SimCollection, _ request: SimRequest) throws -> SimResponse {
        guard let object = liveObjects(of: kind).first else { throw APIFailure.notFound() }
        try kind.beforeDelete(&self, object)
        inventory[kind.path]?[object.id]?.deletedAt = request.now
        return SimResponse(status: 204)
    }

    /// Whether the member at a dotted `path` is there and not null, an empty string or an empty list.
    static func isPresent(_ body: JSON, path: String) -> Bool {
        var value: JSON? = body
        for key in path.split(separator: ".") { value = value?[String(key)] }
        switch value {
        case nil, .null?: return false
        case .string(let text)?: return !text.trimmingCharacters(in: .whitespaces).isEmpty
        case .array(let items)?: return !items.isEmpty
        default: return true
        }
    }

    /// Takes a deleted tag off every object of the generic collections (`tags` lists, a load
    /// balancer's `tag`).
    mutating func untagObjects(_ name: String) {
        for (path, objects) in inventory {
            for (id, object) in objects {
                var json = object.json
                if let tags = json["tags"]?.arrayValue, tags.contains(.string(name)) {
                    json = json.setting("tags", .array(tags.filter { $0 != .string(name) }))
                }
                if json["tag"] == .string(name) { json = json.setting("tag", .string("")) }
                inventory[path]?[id]?.json = json
            }
        }
    }

    // MARK: - Helpers for the builders

    /// The request's `tags` (or another list member), canonicalised: an existing tag keeps its
    /// first capitalisation, a new one is created.
    mutating func canonicalTags(_ request: SimRequest, key: String = "tags") throws -> [String] {
        guard let value = request.body?[key], !value.isNull else { return [] }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            throw APIFailure.unprocessable("\(key) must be a list of strings")
        }
        return try items.compactMap(\.stringValue).map { try canonicalTag($0) }
    }

    /// A region slug the simulator knows, or 422.
    func knownRegion(_ slug: String?) throws -> String {
        guard let slug, Catalog.region(slug) != nil else { throw APIFailure.unprocessable("Region is not available") }
        return slug
    }

    /// Whether an object made at `createdAt` has finished provisioning at `now` (load balancers,
    /// database and Kubernetes clusters and apps take as long as a droplet create).
    func isProvisioned(_ object: SimObject, now: Date) -> Bool {
        object.createdAt.addingTimeInterval(settings.lags.dropletCreate) <= now
    }
}
