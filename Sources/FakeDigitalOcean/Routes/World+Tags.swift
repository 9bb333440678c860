/// `/v2/tags…`: case-stable names (the first capitalisation is canonical and URLs must use it),
/// creating an existing tag succeeds, and tagging resources.
extension World {
    func listTags(_ request: SimRequest) -> SimResponse {
        page(tags.values.sorted().map { tagJSON($0, now: request.now) }, key: "tags", request: request)
    }

    mutating func createTag(_ request: SimRequest) throws -> SimResponse {
        guard let name = request.string("name") else { throw APIFailure.unprocessable("name is required") }
        let canonical = try canonicalTag(name)
        return SimResponse(status: 201, body: .object([("tag", tagJSON(canonical, now: request.now))]), created: ["tag:\(canonical)"])
    }

    private func existingTag(_ request: SimRequest) throws -> String {
        let name = request.segments[2]
        guard tags[name.lowercased()] == name else { throw APIFailure.notFound() }
        return name
    }

    func getTag(_ request: SimRequest) throws -> SimResponse {
        SimResponse(status: 200, body: .object([("tag", tagJSON(try existingTag(request), now: request.now))]))
    }

    mutating func deleteTag(_ request: SimRequest) throws -> SimResponse {
        let name = try existingTag(request)
        tags[name.lowercased()] = nil
        for id in droplets.keys { droplets[id]?.tags.removeAll { $0 == name } }
        for id in snapshots.keys { snapshots[id]?.tags.removeAll { $0 == name } }
        for id in volumes.keys { volumes[id]?.tags.removeAll { $0 == name } }
        untagObjects(name)
        return SimResponse(status: 204)
    }

    /// POST (tag) or DELETE (untag) `/v2/tags/{tag}/resources`.
    mutating func tagResources(_ request: SimRequest, add: Bool) throws -> SimResponse {
        let name = try existingTag(request)
        guard let resources = request.body?["resources"]?.arrayValue, !resources.isEmpty else {
            throw APIFailure.badRequest("resources must be a non-empty list")
        }
        var changes: [(String, String)] = []
        for resource in resources {
            guard let id = resource["resource_id"]?.stringValue ?? resource["resource_id"]?.intValue.map(String.init),
                let type = resource["resource_type"]?.stringValue
            else { throw APIFailure.badRequest("each resource needs resource_id and resource_type") }
            switch type {
            case "droplet":
                guard let key = Int(id), droplets[key]?.deletedAt == nil, droplets[key] != nil else { throw APIFailure.notFound() }
            case "image", "volume_snapshot":
                guard let key = Int(id), snapshots[key]?.deletedAt == nil, snapshots[key] != nil else { throw APIFailure.notFound() }
            case "volume":
                guard volumes[id]?.deletedAt == nil, volumes[id] != nil else { throw APIFailure.notFound() }
            default:
                throw APIFailure.unprocessable("resource_type must be droplet, image, volume or volume_snapshot")
            }
            changes.append((type, id))
        }
        func apply(_ tags: inout [String]) {
            if add { if !tags.contains(name) { tags.append(name) } } else { tags.removeAll { $0 == name } }
        }
        for (type, id) in changes {
            switch type {
            case "droplet": if let key = Int(id) { apply(&droplets[key]!.tags) }
            case "volume": apply(&volumes[id]!.tags)
            default: if let key = Int(id) { apply(&snapshots[key]!.tags) }
            }
        }
        return SimResponse(status: 204)
    }
}
