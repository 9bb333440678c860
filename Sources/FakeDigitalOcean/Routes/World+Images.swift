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
        let items = snapshots.values.filter { snapshot in
            isListed(snapshot, now: request.now) && (type == nil || (type == "volume") == (snapshot.volumeID != nil))
        }.sorted { $0.id < $1.id }
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
        if snapshot.volumeID == nil { droplets[snapshot.dropletID]?.snapshotIDs.removeAll { $0 == id } }
        return SimResponse(status: 204)
    }

    /// `POST /v2/volumes/{volume_id}/snapshots`: a volume snapshot, listed at once (201).
    mutating func createVolumeSnapshot(_ request: SimRequest) throws -> SimResponse {
        let volumeID = request.segments[2]
        guard let volume = volumes[volumeID], volume.deletedAt == nil else { throw APIFailure.notFound() }
        guard let name = request.string("name"), !name.isEmpty else { throw APIFailure.unprocessable("name is required") }
        var tagNames: [String] = []
        for tag in request.body?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { tagNames.append(try canonicalTag(tag)) }
        let snapshot = SimSnapshot(
            id: nextImageID, name: name, dropletID: 0, regionSlug: volume.regionSlug, createdAt: request.now, visibleAt: request.now,
            minDiskSize: volume.sizeGigabytes, sizeGigabytes: Double(volume.sizeGigabytes) * 0.4, tags: tagNames, volumeID: volumeID)
        nextImageID += 1
        snapshots[snapshot.id] = snapshot
        return SimResponse(status: 201, body: .object([("snapshot", snapshotJSON(snapshot))]), created: ["snapshot:\(snapshot.id)"])
    }

    /// `GET /v2/volumes/{volume_id}/snapshots`.
    func listVolumeSnapshots(_ request: SimRequest) throws -> SimResponse {
        let volumeID = request.segments[2]
        guard volumes[volumeID] != nil else { throw APIFailure.notFound() }
        let items = snapshots.values.filter { $0.volumeID == volumeID && isListed($0, now: request.now) }.sorted { $0.id < $1.id }
        return page(items.map(snapshotJSON), key: "snapshots", request: request)
    }

    func listImages(_ request: SimRequest) -> SimResponse {
        let type = request.param("type")
        let privateOnly = request.param("private") == "true"
        var items: [JSON] = []
        if !privateOnly && (type == nil || type == "distribution") { items += Catalog.images.map(Catalog.imageJSON) }
        if type == nil || privateOnly {
            // The account's own images: snapshots and backups, in id order.
            let own =
                snapshots.values.filter { $0.volumeID == nil && isListed($0, now: request.now) }.map { ($0, "snapshot") }
                + backups.values.filter { isListedBackup($0, now: request.now) }.map { ($0, "backup") }
                + customImages.values.filter { $0.deletedAt == nil }.map { ($0, "custom") }
            items += own.sorted { $0.0.id < $1.0.id }.map { snapshotImageJSON($0.0, type: $0.1) }
        }
        if let tag = request.param("tag_name") {
            items = snapshots.values.filter { $0.volumeID == nil && isListed($0, now: request.now) && $0.tags.contains(tag) }.sorted { $0.id < $1.id }
                .map {
                    snapshotImageJSON($0)
                }
        }
        return page(items, key: "images", request: request)
    }

    func getImage(_ request: SimRequest) throws -> SimResponse {
        let key = request.segments[2]
        if let id = Int(key) {
            if let image = Catalog.images.first(where: { $0.id == id }) {
                return SimResponse(status: 200, body: .object([("image", Catalog.imageJSON(image))]))
            }
            if let snapshot = snapshots[id], snapshot.volumeID == nil, snapshot.deletedAt == nil, snapshot.visibleAt <= request.now {
                return SimResponse(status: 200, body: .object([("image", snapshotImageJSON(snapshot))]))
            }
            if let image = customImages[id], image.deletedAt == nil {
                return SimResponse(status: 200, body: .object([("image", snapshotImageJSON(image, type: "custom"))]))
            }
            if let backup = backups[id], isListedBackup(backup, now: request.now) {
                return SimResponse(status: 200, body: .object([("image", snapshotImageJSON(backup, type: "backup"))]))
            }
        } else if let image = Catalog.images.first(where: { $0.slug == key }) {
            return SimResponse(status: 200, body: .object([("image", Catalog.imageJSON(image))]))
        }
        throw APIFailure.notFound()
    }

    /// `POST /v2/images`: imports a custom image from a URL (202; usable at once here).
    mutating func createCustomImage(_ request: SimRequest) throws -> SimResponse {
        guard let name = request.string("name"), !name.isEmpty else { throw APIFailure.unprocessable("name is required") }
        guard let url = request.string("url"), url.hasPrefix("http") else { throw APIFailure.unprocessable("url must be an http(s) URL") }
        guard let region = request.string("region"), Catalog.region(region) != nil else { throw APIFailure.unprocessable("Region is not available") }
        var tagNames: [String] = []
        for tag in request.body?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { tagNames.append(try canonicalTag(tag)) }
        let image = SimSnapshot(
            id: nextImageID, name: name, dropletID: 0, regionSlug: region, createdAt: request.now, visibleAt: request.now, minDiskSize: 20,
            sizeGigabytes: 2.5, tags: tagNames)
        nextImageID += 1
        customImages[image.id] = image
        return SimResponse(status: 202, body: .object([("image", snapshotImageJSON(image, type: "custom"))]), created: ["image:\(image.id)"])
    }

    /// `DELETE /v2/images/{image_id}`: a custom image or a snapshot (204).
    mutating func deleteImage(_ request: SimRequest) throws -> SimResponse {
        let id = try request.intSegment(2)
        if let image = customImages[id], image.deletedAt == nil {
            customImages[id]?.deletedAt = request.now
            return SimResponse(status: 204)
        }
        if let snapshot = snapshots[id], snapshot.volumeID == nil, snapshot.deletedAt == nil {
            snapshots[id]?.deletedAt = request.now
            droplets[snapshot.dropletID]?.snapshotIDs.removeAll { $0 == id }
            return SimResponse(status: 204)
        }
        throw APIFailure.notFound()
    }
}
