import Foundation

/// The default project and project resources: `GET /v2/projects/default`, and listing and
/// assigning resources by URN (`do:droplet:123`) under `/v2/projects/{id|default}/resources`.
extension World {
    /// The id of the project every account starts with.
    static let defaultProjectID = "5f3a9c1e-7d42-4b8a-9e61-0c2d4f6a8b13"
    /// The account's UUID (`GET /v2/account`), the owner of its projects and apps.
    static let accountUUID = "b6fr89dbf6d9156cace5f3c78dc9851d957381ef"

    /// Puts the default project in a new account: listed at once, never deleted.
    mutating func insertDefaultProject() {
        let json = SimCollection.projectJSON(
            id: Self.defaultProjectID, name: "first-project", description: "Default project", purpose: "Just trying out DigitalOcean",
            environment: "Development", isDefault: true, now: now)
        inventory[SimCollection.projects.path, default: [:]][Self.defaultProjectID] = SimObject(
            id: Self.defaultProjectID, json: json, createdAt: now, visibleAt: now, sequence: nextObjectSequence)
        nextObjectSequence += 1
    }

    func getDefaultProject(_ request: SimRequest) throws -> SimResponse {
        let project = try liveObject(.projects, Self.defaultProjectID, now: request.now)
        return SimResponse(status: 200, body: .object([("project", SimCollection.projects.render(self, project, request.now))]))
    }

    /// The project a resources path names (`default` for the default project), or 404.
    private func resourcesProject(_ request: SimRequest) throws -> String {
        let key = request.segments[2]
        return try liveObject(.projects, key == "default" ? Self.defaultProjectID : key, now: request.now).id
    }

    func listProjectResources(_ request: SimRequest) throws -> SimResponse {
        let project = try resourcesProject(request)
        // A resource deleted since it was assigned is no longer listed.
        let items = projectResources.values.filter { $0.projectID == project && resourceExists(urn: $0.urn) }.sorted {
            ($0.assignedAt, $0.urn) < ($1.assignedAt, $1.urn)
        }
        return page(items, key: "resources", request: request) {
            projectResourceJSON(urn: $0.urn, assignedAt: $0.assignedAt, status: "ok", request: request)
        }
    }

    /// Assigns the URNs of the body's `resources` to the project (moving them from another). A
    /// URN of a resource that does not exist is answered with status `not_found` and not assigned.
    mutating func assignProjectResources(_ request: SimRequest) throws -> SimResponse {
        let project = try resourcesProject(request)
        guard let urns = request.body?["resources"]?.arrayValue, !urns.isEmpty, urns.allSatisfy({ $0.stringValue != nil }) else {
            throw APIFailure.badRequest("resources must be a non-empty list of URNs")
        }
        var answers: [JSON] = []
        for urn in urns.compactMap(\.stringValue) {
            let parts = urn.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "do", !parts[1].isEmpty, !parts[2].isEmpty else {
                throw APIFailure.unprocessable("\(urn) is not a URN of the form do:{type}:{id}")
            }
            guard resourceExists(type: String(parts[1]), id: String(parts[2])) else {
                answers.append(.object([("urn", .string(urn)), ("status", .string("not_found"))]))
                continue
            }
            projectResources[urn] = SimProjectResource(urn: urn, projectID: project, assignedAt: request.now)
            answers.append(projectResourceJSON(urn: urn, assignedAt: request.now, status: "ok", request: request))
        }
        return SimResponse(status: 200, body: .object([("resources", .array(answers))]))
    }

    /// Whether the resource a URN names exists.
    func resourceExists(urn: String) -> Bool {
        let parts = urn.split(separator: ":", maxSplits: 2)
        return parts.count == 3 && resourceExists(type: String(parts[1]), id: String(parts[2]))
    }

    /// Whether the resource exists (kinds the simulator does not keep are taken on trust).
    private func resourceExists(type: String, id: String) -> Bool {
        switch type {
        case "droplet": Int(id).flatMap { droplets[$0] }.map { $0.deletedAt == nil } ?? false
        case "volume": volumes[id].map { $0.deletedAt == nil } ?? false
        case "domain": domains[id.lowercased()] != nil
        case "floatingip", "reservedip": reservedIPs[id].map { !$0.deleted } ?? false
        case "loadbalancer": objectExists(.loadBalancers, id)
        case "dbaas": objectExists(.databases, id)
        case "kubernetes": objectExists(.kubernetesClusters, id)
        case "app": objectExists(.apps, id)
        case "vpc": objectExists(.vpcs, id)
        default: type.unicodeScalars.allSatisfy { CharacterSet.lowercaseLetters.contains($0) || $0 == "_" }
        }
    }

    private func projectResourceJSON(urn: String, assignedAt: Date, status: String, request: SimRequest) -> JSON {
        let parts = urn.split(separator: ":", maxSplits: 2)
        let link = parts.count == 3 ? "\(request.baseURL)/v2/\(parts[1])s/\(parts[2])" : request.baseURL
        return .object([
            ("urn", .string(urn)), ("assigned_at", .string(SimFormat.date(assignedAt))), ("links", .object([("self", .string(link))])),
            ("status", .string(status)),
        ])
    }
}
