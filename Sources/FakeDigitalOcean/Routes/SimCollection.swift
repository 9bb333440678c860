import Foundation

/// One kind of object served by the generic handlers of `World+Collections.swift`: where it lives,
/// its root keys, how its ids look, what a create must carry and how DigitalOcean fills in the
/// rest.
///
/// A collection answers `GET path` (its listing: paginated unless DigitalOcean answers it in one
/// piece), `POST path`, `GET path/{id}` and `DELETE path/{id}`. A singleton (the registry) answers
/// `GET`, `POST` and `DELETE` on `path` itself. The kinds are defined in `SimCollection+*.swift`.
struct SimCollection: Sendable {
    /// How ids are made.
    enum IDStyle: Sendable {
        /// Lowercase UUIDs from the seeded source.
        case uuid
        /// Increasing integers (written in decimal in paths).
        case int
    }

    /// How a delete is answered.
    enum DeleteAnswer: Sendable {
        /// 204, no body.
        case noContent
        /// 200 with `{"id": …}` (apps).
        case id
    }

    /// Makes the stored JSON of a new object from a create whose required members are there:
    /// checks the rest, canonicalises tags and fills in DigitalOcean's defaults. `id` is the new
    /// object's id (decimal for integer ids).
    typealias Builder = @Sendable (_ world: inout World, _ request: SimRequest, _ id: String) throws -> JSON
    /// The stored object as it reads at `now` (statuses that catch up with time).
    typealias Renderer = @Sendable (_ world: World, _ object: SimObject, _ now: Date) -> JSON
    /// Whether a listed object passes the listing's query filters (`tag_name`, `name`).
    typealias Filter = @Sendable (_ object: SimObject, _ request: SimRequest) -> Bool
    /// Runs before a delete: refuses it (by throwing) or cleans up what hangs on the object.
    typealias DeleteHook = @Sendable (_ world: inout World, _ object: SimObject) throws -> Void

    /// The collection's path as the spec writes it: `/v2/load_balancers`.
    var path: String
    /// The name of the id parameter in the spec's item path: `lb_id`.
    var idParameter: String
    /// The listing's root key: `load_balancers`.
    var plural: String
    /// One object's root key: `load_balancer`.
    var singular: String
    var idStyle: IDStyle = .uuid
    /// Body members a create must carry, dotted for nested ones (`spec.name`): a 422 names the
    /// first one missing, null or empty.
    var required: [String]
    var createStatus = 201
    /// Whether the listing has pages (`links`, `meta`); DigitalOcean answers some in one piece.
    var paginated = true
    /// Like droplets: missing from listings for `lags.listVisibility` after the create, 404 to a
    /// GET for `lags.getNotFound`, and lingering in listings for `lags.deleteLinger` after a delete.
    var eventuallyConsistent = false
    /// One object per account, at `path` itself (the registry).
    var singleton = false
    /// A member that names an object in paths as well as its id (an SSH key's `fingerprint`).
    var alternateKey: String?
    var deleteAnswer: DeleteAnswer = .noContent
    var build: Builder
    var render: Renderer = { _, object, _ in object.json }
    var filter: Filter = { _, _ in true }
    var beforeDelete: DeleteHook = { _, _ in }

    /// The index of an object's id among a path's segments (`["v2", "load_balancers", id]` → 2).
    var idSegment: Int { path.split(separator: "/").count }

    /// The spec's path of one object: `/v2/load_balancers/{lb_id}`.
    var itemTemplate: String { "\(path)/{\(idParameter)}" }

    /// The routes the collection serves, in the spec's path templates.
    var routes: [SimRoute] {
        let kind = self
        if singleton {
            return [
                SimRoute("GET", path) { w, q in try w.getSingleton(kind, q) },
                SimRoute("POST", path) { w, q in try w.createObject(kind, q) },
                SimRoute("DELETE", path) { w, q in try w.deleteSingleton(kind, q) },
            ]
        }
        return [
            SimRoute("GET", path) { w, q in w.listObjects(kind, q) },
            SimRoute("POST", path) { w, q in try w.createObject(kind, q) },
            SimRoute("GET", itemTemplate) { w, q in try w.getObject(kind, q) },
            SimRoute("DELETE", itemTemplate) { w, q in try w.deleteObject(kind, q) },
        ]
    }

    /// Every generic collection.
    static let all: [SimCollection] = [
        .loadBalancers, .databases, .kubernetesClusters, .vpcs, .projects, .sshKeys, .certificates, .cdnEndpoints, .apps, .registry,
    ]
}
