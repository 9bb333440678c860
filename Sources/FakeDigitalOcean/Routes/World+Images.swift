import Foundation

/// `/v2/actions`, `/v2/snapshots` and `/v2/images`.
extension World {
    func listActions(_ request: SimRequest) -> SimResponse {
        page(actions.values.sorted { $0.id > $1.id }.map(actionJSON), key: "actions", request: request)
    }

    func getAction(_ request: SimRequest) throws -> SimResponse {
        guard let action = actions[try request.intSegment(2)] else { throw APIFailure.notFound() }
        return SimResponse(status: 200, body: .object([("action", actionJSON(action))]))
    }

    func listSnapshots(_ request: SimRequest) throws -> SimResponse {
        let type = request.param("resource_type")
        if let type, type != "droplet" && type != "volume" { throw APIFailure.badRequest("resource_type must be droplet or volume") }
        let items = type == "volume" ? [] : snapshots.values.filter { isListed($0, now: request.now) }.sorted { $0.id < $1.id }
        return page(items.map(snapshotJSON), key: "snapshots", request: request)
    }

    func getSnapshot(_ request: SimRequest) throws -> SimResponse {
        guard let snapshot = snapshots[try request.intSegment(2)], snapshot.deletedAt == nil, snapshot.visibleAt <= request.now else {
            throw APIFailure.notFound()
        }
        return SimResponse(status: 200, body: .object([("snapshot", snapshotJSON(snapshot))]))
    }

    mutating func deleteSnapshot(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        guard let snapshot = snapshots[id], snapshot.deletedAt == nil else { throw APIFailure.notFound() }
        snapshots[id]?.deletedAt = request.now
        droplets[snapshot.dropletID]?.snapshotIDs.removeAll { $0 == id }
        return SimResponse(status: 204)
    }

    func listImages(_ request: SimRequest) -> SimResponse {
        let type = request.param("type")
        let privateOnly = request.param("private") == "true"
        var items: [JSON] = []
        if !privateOnly && (type == nil || type == "distribution") { items += Catalog.images.map(Catalog.imageJSON) }
        if type == nil || privateOnly {
            items += snapshots.values.filter { isListed($0, now: request.now) }.sorted { $0.id < $1.id }.map(snapshotImageJSON)
        }
        if let tag = request.param("tag_name") {
            items = snapshots.values.filter { isListed($0, now: request.now) && $0.tags.contains(tag) }.sorted { $0.id < $1.id }.map(
                snapshotImageJSON)
        }
        return page(items, key: "images", request: request)
    }

    func getImage(_ request: SimRequest) throws -> SimResponse {
        let key = request.segments[2]
        if let id = Int(key) {
            if let image = Catalog.images.first(where: { $0.id == id }) {
                return SimResponse(status: 200, body: .object([("image", Catalog.imageJSON(image))]))
            }
            if let snapshot = snapshots[id], snapshot.deletedAt == nil, snapshot.visibleAt <= request.now {
                return SimResponse(status: 200, body: .object([("image", snapshotImageJSON(snapshot))]))
            }
        } else if let image = Catalog.images.first(where: { $0.slug == key }) {
            return SimResponse(status: 200, body: .object([("image", Catalog.imageJSON(image))]))
        }
        throw APIFailure.notFound()
    }
}
