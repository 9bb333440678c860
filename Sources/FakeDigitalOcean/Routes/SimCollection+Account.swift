import Foundation

/// Projects and SSH keys.
extension SimCollection {
    /// Project environments DigitalOcean accepts.
    static let projectEnvironments = ["Development", "Staging", "Production"]

    /// `/v2/projects`: a name unique in the account and a purpose. The default project (made with
    /// the account) cannot be deleted, nor can a project that still has resources.
    static let projects: SimCollection = SimCollection(
        path: "/v2/projects", idParameter: "project_id", plural: "projects", singular: "project", required: ["name", "purpose"],
        build: { world, request, id in
            let name = request.string("name") ?? ""
            guard name.count <= 175 else { throw APIFailure.unprocessable("name must be at most 175 characters") }
            if world.liveObjects(of: .projects).contains(where: { $0.json["name"]?.stringValue == name }) {
                throw APIFailure.unprocessable("name is already in use")
            }
            let environment = request.string("environment")
            if let environment, !projectEnvironments.contains(environment) {
                throw APIFailure.unprocessable("environment must be one of \(projectEnvironments.joined(separator: ", "))")
            }
            return projectJSON(
                id: id, name: name, description: request.string("description") ?? "", purpose: request.string("purpose") ?? "",
                environment: environment, isDefault: false, now: request.now)
        },
        beforeDelete: { world, object in
            if object.id == World.defaultProjectID { throw APIFailure.unprocessable("The default project cannot be deleted.") }
            if world.projectResources.values.contains(where: { $0.projectID == object.id && world.resourceExists(urn: $0.urn) }) {
                throw APIFailure(status: 412, id: "precondition_failed", message: "Only empty projects can be deleted.")
            }
        })

    /// A project as DigitalOcean answers it.
    static func projectJSON(id: String, name: String, description: String, purpose: String, environment: String?, isDefault: Bool, now: Date) -> JSON
    {
        var members: [(String, JSON)] = [
            ("id", .string(id)), ("owner_uuid", .string(World.accountUUID)), ("owner_id", .int(258_992)), ("name", .string(name)),
            ("description", .string(description)), ("purpose", .string(purpose)),
        ]
        if let environment { members.append(("environment", .string(environment))) }
        members += [("created_at", .string(SimFormat.date(now))), ("updated_at", .string(SimFormat.date(now))), ("is_default", .bool(isDefault))]
        return .object(members)
    }

    /// Key types an SSH public key may have.
    static let sshKeyTypes = ["ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    /// `/v2/account/keys`: integer ids; a key is also named by its fingerprint in paths, and the
    /// same key cannot be added twice.
    static let sshKeys: SimCollection = SimCollection(
        path: "/v2/account/keys", idParameter: "ssh_key_identifier", plural: "ssh_keys", singular: "ssh_key", idStyle: .int,
        required: ["name", "public_key"], alternateKey: "fingerprint",
        build: { world, request, id in
            let parts = (request.string("public_key") ?? "").split(separator: " ")
            guard parts.count >= 2, sshKeyTypes.contains(String(parts[0])), parts[1].count >= 16,
                parts[1].unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "+/=".unicodeScalars.contains($0)) })
            else { throw APIFailure.unprocessable("Key invalid, key should be of the format `type key [comment]`") }
            let fingerprint = SimFormat.hexDigest(String(parts[1]), bytes: 16, separator: ":")
            if world.liveObjects(of: .sshKeys).contains(where: { $0.json["fingerprint"]?.stringValue == fingerprint }) {
                throw APIFailure.unprocessable("SSH Key is already in use on your account")
            }
            return .object([
                ("id", .number(id)), ("fingerprint", .string(fingerprint)), ("public_key", .string(request.string("public_key") ?? "")),
                ("name", .string(request.string("name") ?? "")),
            ])
        })
}
