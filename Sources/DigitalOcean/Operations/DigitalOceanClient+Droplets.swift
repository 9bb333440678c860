import NIOHTTP1

extension DigitalOceanClient {
    /// `POST /v2/droplets`: creates one droplet (202; poll the create action or the droplet).
    /// Never retried on an ambiguous failure: see ``DigitalOceanError/isAmbiguous``.
    public func createDroplet(_ request: DropletCreateRequest) async throws -> DropletCreation {
        try await object(DropletCreation.self, .POST, "/v2/droplets", body: request, key: nil)
    }

    /// `GET /v2/droplets/{id}`. Right after a create DigitalOcean may answer 404 for a while.
    public func droplet(id: Int) async throws -> Droplet {
        try await object(Droplet.self, .GET, "/v2/droplets/\(id)", key: "droplet")
    }

    /// `GET /v2/droplets`, optionally filtered by tag or by exact name (not both: DigitalOcean
    /// refuses the combination).
    ///
    /// DigitalOcean leaves GPU droplets out of this listing unless `type` is `gpus` (then only GPU
    /// droplets are listed; `droplets` is the default). `type` cannot be combined with `tagName`.
    /// An inventory of every droplet therefore reads both `droplets()` and `droplets(type: "gpus")`.
    public func droplets(tagName: String? = nil, name: String? = nil, type: String? = nil) -> PaginatedSequence<Droplet> {
        var query: [(String, String)] = []
        if let tagName { query.append(("tag_name", tagName)) }
        if let name { query.append(("name", name)) }
        if let type { query.append(("type", type)) }
        return collection(Droplet.self, "/v2/droplets", query: query, key: "droplets")
    }

    /// `DELETE /v2/droplets/{id}`. A 404 (already gone) throws with ``DigitalOceanError/isNotFound``.
    public func deleteDroplet(id: Int) async throws {
        try await discard(.DELETE, "/v2/droplets/\(id)")
    }

    /// `DELETE /v2/droplets?tag_name=T`: deletes every droplet carrying the tag.
    public func deleteDroplets(tagName: String) async throws {
        try await discard(.DELETE, "/v2/droplets", query: [("tag_name", tagName)])
    }

    /// `POST /v2/droplets/{id}/actions` (201). A droplet with an action running answers 422
    /// "Droplet already has a pending event." (retryable).
    public func performDropletAction(dropletID: Int, _ action: DropletActionRequest) async throws -> Action {
        try await object(Action.self, .POST, "/v2/droplets/\(dropletID)/actions", body: action, key: "action")
    }

    /// Takes a snapshot; the snapshot shows up in ``dropletSnapshots(dropletID:)`` some time after
    /// the action completes, with `created_at` equal to the action's `started_at`.
    public func snapshotDroplet(id: Int, name: String?) async throws -> Action {
        try await performDropletAction(dropletID: id, .snapshot(name: name))
    }

    /// Powers a droplet off (hard).
    public func powerOffDroplet(id: Int) async throws -> Action { try await performDropletAction(dropletID: id, .powerOff) }
    /// Powers a droplet on.
    public func powerOnDroplet(id: Int) async throws -> Action { try await performDropletAction(dropletID: id, .powerOn) }
    /// Asks a droplet to shut down gracefully.
    public func shutdownDroplet(id: Int) async throws -> Action { try await performDropletAction(dropletID: id, .shutdown) }
    /// Reboots a droplet.
    public func rebootDroplet(id: Int) async throws -> Action { try await performDropletAction(dropletID: id, .reboot) }

    /// Resizes a powered-off droplet.
    public func resizeDroplet(id: Int, size: String, disk: Bool = false) async throws -> Action {
        try await performDropletAction(dropletID: id, .resize(size: size, disk: disk))
    }

    /// Rebuilds a droplet from an image.
    public func rebuildDroplet(id: Int, image: ImageReference) async throws -> Action {
        try await performDropletAction(dropletID: id, .rebuild(image: image))
    }

    /// `GET /v2/droplets/{id}/actions`.
    public func dropletActions(dropletID: Int) -> PaginatedSequence<Action> {
        collection(Action.self, "/v2/droplets/\(dropletID)/actions", key: "actions")
    }

    /// `GET /v2/droplets/{id}/actions/{action_id}`.
    public func dropletAction(dropletID: Int, actionID: Int) async throws -> Action {
        try await object(Action.self, .GET, "/v2/droplets/\(dropletID)/actions/\(actionID)", key: "action")
    }

    /// `GET /v2/droplets/{id}/snapshots`: the droplet's snapshots, with integer ids.
    public func dropletSnapshots(dropletID: Int) -> PaginatedSequence<DropletSnapshot> {
        collection(DropletSnapshot.self, "/v2/droplets/\(dropletID)/snapshots", key: "snapshots")
    }

    /// `GET /v2/droplets/{id}/backups`: the backups of a droplet with backups enabled (they are
    /// also private images: ``images(type:isPrivate:)`` with `isPrivate: true`).
    public func dropletBackups(dropletID: Int) -> PaginatedSequence<DropletBackup> {
        collection(DropletBackup.self, "/v2/droplets/\(dropletID)/backups", key: "backups")
    }
}
