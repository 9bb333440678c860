import Foundation

/// Load balancers, VPCs, certificates and CDN endpoints.
extension SimCollection {
    /// `/v2/load_balancers`: 202 on create, `new` until provisioned, then `active`. Targets are
    /// droplet ids or one tag (not both); a tag's droplets are listed as the targets.
    static let loadBalancers: SimCollection = SimCollection(
        path: "/v2/load_balancers", idParameter: "lb_id", plural: "load_balancers", singular: "load_balancer",
        required: ["region", "forwarding_rules"], createStatus: 202, eventuallyConsistent: true,
        build: { world, request, id in
            let region = try world.knownRegion(request.string("region"))
            let rules = try forwardingRules(request.body?["forwarding_rules"])
            let dropletIDs = request.body?["droplet_ids"]?.arrayValue ?? []
            let tag = request.string("tag").flatMap { $0.isEmpty ? nil : $0 }
            if !dropletIDs.isEmpty && tag != nil { throw APIFailure.unprocessable("droplet_ids and tag cannot be combined") }
            for item in dropletIDs {
                guard let dropletID = item.intValue, world.droplets[dropletID]?.deletedAt == nil, world.droplets[dropletID] != nil else {
                    throw APIFailure.unprocessable("droplet_ids must name existing droplets")
                }
            }
            let canonical = try tag.map { try world.canonicalTag($0) } ?? ""
            let sizeUnit = request.int("size_unit") ?? 1
            guard (1...100).contains(sizeUnit) else { throw APIFailure.unprocessable("size_unit must be between 1 and 100") }
            let name = request.string("name") ?? "\(region)-load-balancer-\(id.prefix(8))"
            for member in ["health_check", "sticky_sessions"] {
                if let value = request.body?[member], case .object = value {
                } else if request.body?[member] != nil {
                    throw APIFailure.unprocessable("\(member) must be an object")
                }
            }
            return .object([
                ("id", .string(id)), ("name", .string(name)), ("ip", .string(world.allocateAddress(prefix: "192.0"))),
                ("size_unit", .int(sizeUnit)), ("size", .string(request.string("size") ?? "lb-small")),
                ("algorithm", .string("round_robin")), ("status", .string("new")), ("created_at", .string(SimFormat.date(request.now))),
                ("forwarding_rules", .array(rules)),
                (
                    "health_check",
                    request.body?["health_check"]
                        ?? .object([
                            ("protocol", .string("http")), ("port", .int(80)), ("path", .string("/")), ("check_interval_seconds", .int(10)),
                            ("response_timeout_seconds", .int(5)), ("healthy_threshold", .int(5)), ("unhealthy_threshold", .int(3)),
                        ])
                ),
                ("sticky_sessions", request.body?["sticky_sessions"] ?? .object([("type", .string("none"))])),
                ("region", Catalog.regionJSON(region)), ("tag", .string(canonical)), ("droplet_ids", .array(dropletIDs)),
                ("redirect_http_to_https", .bool(request.body?["redirect_http_to_https"]?.boolValue ?? false)),
                ("enable_proxy_protocol", .bool(false)), ("enable_backend_keepalive", .bool(false)), ("http_idle_timeout_seconds", .int(60)),
                ("vpc_uuid", .string(request.string("vpc_uuid") ?? SimFormat.uuid(&world.random))),
                ("project_id", .string(request.string("project_id") ?? World.defaultProjectID)),
                ("disable_lets_encrypt_dns_records", .bool(false)), ("network", .string("EXTERNAL")), ("type", .string("REGIONAL")),
            ])
        },
        render: { world, object, now in
            var json = object.json.setting("status", .string(world.isProvisioned(object, now: now) ? "active" : "new"))
            if let tag = object.json["tag"]?.stringValue, !tag.isEmpty {
                let tagged = world.droplets.values.filter { $0.deletedAt == nil && $0.tags.contains(tag) }.map(\.id).sorted()
                json = json.setting("droplet_ids", .ints(tagged))
            } else {
                let live = (object.json["droplet_ids"]?.arrayValue ?? []).compactMap(\.intValue).filter { world.droplets[$0]?.deletedAt == nil }
                json = json.setting("droplet_ids", .ints(live))
            }
            return json
        })

    /// Checks and normalises a load balancer's forwarding rules.
    static func forwardingRules(_ value: JSON?) throws -> [JSON] {
        guard let rules = value?.arrayValue, !rules.isEmpty else { throw APIFailure.unprocessable("forwarding_rules must be a non-empty list") }
        let protocols = ["http", "https", "http2", "http3", "tcp", "udp"]
        return try rules.map { rule in
            guard let entry = rule["entry_protocol"]?.stringValue, protocols.contains(entry),
                let target = rule["target_protocol"]?.stringValue, protocols.contains(target)
            else { throw APIFailure.unprocessable("entry_protocol and target_protocol must be one of \(protocols.joined(separator: ", "))") }
            guard let entryPort = rule["entry_port"]?.intValue, (1...65_535).contains(entryPort),
                let targetPort = rule["target_port"]?.intValue, (1...65_535).contains(targetPort)
            else { throw APIFailure.unprocessable("entry_port and target_port must be between 1 and 65535") }
            return .object([
                ("entry_protocol", .string(entry)), ("entry_port", .int(entryPort)), ("target_protocol", .string(target)),
                ("target_port", .int(targetPort)), ("certificate_id", .string(rule["certificate_id"]?.stringValue ?? "")),
                ("tls_passthrough", .bool(rule["tls_passthrough"]?.boolValue ?? false)),
            ])
        }
    }

    /// `/v2/vpcs`: a name unique in the account, a known region, and a private range (one is
    /// allocated when none is given).
    static let vpcs: SimCollection = SimCollection(
        path: "/v2/vpcs", idParameter: "vpc_id", plural: "vpcs", singular: "vpc", required: ["name", "region"],
        build: { world, request, id in
            let name = request.string("name") ?? ""
            let region = try world.knownRegion(request.string("region"))
            if world.liveObjects(of: .vpcs).contains(where: { $0.json["name"]?.stringValue == name }) {
                throw APIFailure.unprocessable("A VPC with this name already exists")
            }
            let range: String
            if let given = request.string("ip_range") {
                guard isCIDR(given) else { throw APIFailure.unprocessable("ip_range must be an IPv4 range in CIDR notation") }
                range = given
            } else {
                range = "10.\(100 + world.objects(of: .vpcs).count % 150).0.0/20"
            }
            return .object([
                ("id", .string(id)), ("urn", .string("do:vpc:\(id)")), ("name", .string(name)),
                ("description", .string(request.string("description") ?? "")), ("region", .string(region)), ("ip_range", .string(range)),
                ("default", .bool(false)), ("created_at", .string(SimFormat.date(request.now))),
            ])
        })

    /// Whether `text` is `a.b.c.d/n`.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), (8...28).contains(bits) else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && Int($0).map { (0...255).contains($0) } == true }
    }

    /// `/v2/certificates`: `lets_encrypt` certificates name domains the account's DNS serves and
    /// are `pending` until issued; `custom` ones (the default type) carry their PEM key and leaf.
    /// The private key is never returned.
    static let certificates: SimCollection = SimCollection(
        path: "/v2/certificates", idParameter: "certificate_id", plural: "certificates", singular: "certificate", required: ["name"],
        build: { world, request, id in
            let name = request.string("name") ?? ""
            let type = request.string("type") ?? "custom"
            if world.liveObjects(of: .certificates).contains(where: { $0.json["name"]?.stringValue == name }) {
                throw APIFailure.unprocessable("A certificate with this name already exists")
            }
            var dnsNames: [String] = []
            switch type {
            case "lets_encrypt":
                dnsNames = request.body?["dns_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
                guard !dnsNames.isEmpty else { throw APIFailure.unprocessable("dns_names is required for a lets_encrypt certificate") }
                for host in dnsNames {
                    let zone = host.lowercased().hasPrefix("*.") ? String(host.lowercased().dropFirst(2)) : host.lowercased()
                    guard world.domains.keys.contains(where: { zone == $0 || zone.hasSuffix("." + $0) }) else {
                        throw APIFailure.unprocessable("\(host) is not in a domain managed by DigitalOcean DNS")
                    }
                }
            case "custom":
                guard let key = request.string("private_key"), key.contains("PRIVATE KEY"),
                    let leaf = request.string("leaf_certificate"), leaf.contains("BEGIN CERTIFICATE")
                else { throw APIFailure.unprocessable("private_key and leaf_certificate are required in PEM format") }
            default:
                throw APIFailure.unprocessable("type must be custom or lets_encrypt")
            }
            let lifetime: Double = type == "lets_encrypt" ? 90 * 86_400 : 365 * 86_400
            return .object([
                ("id", .string(id)), ("name", .string(name)), ("not_after", .string(SimFormat.date(request.now.addingTimeInterval(lifetime)))),
                ("sha1_fingerprint", .string(SimFormat.hexDigest(id + name, bytes: 20))),
                ("created_at", .string(SimFormat.date(request.now))), ("dns_names", .strings(dnsNames)),
                ("state", .string(type == "lets_encrypt" ? "pending" : "verified")), ("type", .string(type)),
            ])
        },
        render: { world, object, now in
            guard object.json["type"]?.stringValue == "lets_encrypt" else { return object.json }
            let issued = object.createdAt.addingTimeInterval(world.settings.lags.action) <= now
            return object.json.setting("state", .string(issued ? "verified" : "pending"))
        },
        filter: { object, request in request.param("name").map { object.json["name"]?.stringValue == $0 } ?? true },
        beforeDelete: { world, object in
            let users = world.liveObjects(of: .cdnEndpoints).filter { $0.json["certificate_id"]?.stringValue == object.id }
            if !users.isEmpty { throw APIFailure.unprocessable("The certificate is in use by a CDN endpoint") }
        })

    /// `/v2/cdn/endpoints`: the origin is a Spaces bucket; a custom domain needs a certificate.
    static let cdnEndpoints: SimCollection = SimCollection(
        path: "/v2/cdn/endpoints", idParameter: "cdn_id", plural: "endpoints", singular: "endpoint", required: ["origin"],
        build: { world, request, id in
            let origin = request.string("origin") ?? ""
            let suffix = ".digitaloceanspaces.com"
            guard origin.hasSuffix(suffix), origin.count > suffix.count else {
                throw APIFailure.unprocessable("origin must be a Spaces bucket (name.region.digitaloceanspaces.com)")
            }
            if world.liveObjects(of: .cdnEndpoints).contains(where: { $0.json["origin"]?.stringValue == origin }) {
                throw APIFailure.unprocessable("An endpoint for this origin already exists")
            }
            let ttl = request.int("ttl") ?? 3600
            guard [60, 600, 3600, 86_400, 604_800].contains(ttl) else { throw APIFailure.unprocessable("ttl must be 60, 600, 3600, 86400 or 604800") }
            var members: [(String, JSON)] = [
                ("id", .string(id)), ("origin", .string(origin)),
                ("endpoint", .string(String(origin.dropLast(suffix.count)) + ".cdn" + suffix)),
                ("created_at", .string(SimFormat.date(request.now))), ("ttl", .int(ttl)),
            ]
            if let domain = request.string("custom_domain"), !domain.isEmpty {
                guard let certificate = request.string("certificate_id"), world.objectExists(.certificates, certificate) else {
                    throw APIFailure.unprocessable("a custom_domain needs the certificate_id of an existing certificate")
                }
                members += [("certificate_id", .string(certificate)), ("custom_domain", .string(domain))]
            }
            return .object(members)
        })
}
