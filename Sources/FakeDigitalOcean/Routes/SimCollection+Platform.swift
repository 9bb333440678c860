import Foundation

/// Database clusters, Kubernetes clusters, apps and the container registry.
extension SimCollection {
    /// `/v2/databases`: listed in one piece (the spec gives the listing no pages), filtered by
    /// `tag_name`; `creating` until provisioned, then `online`.
    static let databases: SimCollection = SimCollection(
        path: "/v2/databases", idParameter: "database_cluster_uuid", plural: "databases", singular: "database",
        required: ["name", "engine", "num_nodes", "size", "region"], paginated: false, eventuallyConsistent: true,
        build: { world, request, id in
            let name = request.string("name") ?? ""
            let versions = ["pg": "16", "mysql": "8", "redis": "7", "valkey": "8", "mongodb": "7.0", "kafka": "3.8", "opensearch": "2"]
            guard let engine = request.string("engine"), let defaultVersion = versions[engine] else {
                throw APIFailure.unprocessable("engine must be one of \(versions.keys.sorted().joined(separator: ", "))")
            }
            guard let nodes = request.int("num_nodes"), (1...3).contains(nodes) else { throw APIFailure.unprocessable("num_nodes must be 1, 2 or 3") }
            guard let size = request.string("size"), size.hasPrefix("db-") else { throw APIFailure.unprocessable("size is not a database size slug") }
            let region = try world.knownRegion(request.string("region"))
            if world.liveObjects(of: .databases).contains(where: { $0.json["name"]?.stringValue == name }) {
                throw APIFailure.unprocessable("name is already in use")
            }
            let tags = try world.canonicalTags(request)
            let host = "\(name)-do-user-0-0.db.ondigitalocean.com"
            let password = SimFormat.hexDigest(id, bytes: 8)
            return .object([
                ("id", .string(id)), ("name", .string(name)), ("engine", .string(engine)),
                ("version", .string(request.string("version") ?? defaultVersion)),
                (
                    "connection",
                    .object([
                        ("uri", .string("\(engine)://doadmin:\(password)@\(host):25060/defaultdb?sslmode=require")), ("database", .string("")),
                        ("host", .string(host)), ("port", .int(25060)), ("user", .string("doadmin")), ("password", .string(password)),
                        ("ssl", .bool(true)),
                    ])
                ),
                ("db_names", .strings(["defaultdb"])), ("num_nodes", .int(nodes)), ("region", .string(region)), ("status", .string("creating")),
                ("created_at", .string(SimFormat.date(request.now))),
                (
                    "maintenance_window",
                    .object([("day", .string("tuesday")), ("hour", .string("01:00:00")), ("pending", .bool(false)), ("description", .array([]))])
                ),
                ("size", .string(size)), ("tags", .strings(tags)),
                ("private_network_uuid", .string(request.string("private_network_uuid") ?? SimFormat.uuid(&world.random))),
                ("project_id", .string(request.string("project_id") ?? World.defaultProjectID)),
                ("storage_size_mib", .int(request.int("storage_size_mib") ?? 10_240 * nodes)),
            ])
        },
        render: { world, object, now in object.json.setting("status", .string(world.isProvisioned(object, now: now) ? "online" : "creating")) },
        filter: { object, request in
            guard let tag = request.param("tag_name") else { return true }
            return object.json["tags"]?.arrayValue?.contains { $0.stringValue?.caseInsensitiveCompare(tag) == .orderedSame } ?? false
        })

    /// Kubernetes versions a cluster may be created with (`latest` picks the first).
    static let kubernetesVersions = ["1.31.1-do.5", "1.30.5-do.5", "1.29.9-do.5"]

    /// `/v2/kubernetes/clusters`: node pools are given at create, each gets an id and its nodes;
    /// the cluster and its nodes are `provisioning` until provisioned, then `running`. Like
    /// DigitalOcean, the cluster carries the tags `k8s` and `k8s:{id}`, its workers also `k8s:worker`.
    static let kubernetesClusters: SimCollection = SimCollection(
        path: "/v2/kubernetes/clusters", idParameter: "cluster_id", plural: "kubernetes_clusters", singular: "kubernetes_cluster",
        required: ["name", "region", "version", "node_pools"], eventuallyConsistent: true,
        build: { world, request, id in
            let name = request.string("name") ?? ""
            let region = try world.knownRegion(request.string("region"))
            let asked = request.string("version") ?? ""
            guard
                let version = asked == "latest"
                    ? kubernetesVersions.first : kubernetesVersions.first(where: { $0 == asked || $0.hasPrefix(asked + "-") })
            else {
                throw APIFailure.unprocessable("version must be latest or one of \(kubernetesVersions.joined(separator: ", "))")
            }
            let clusterTags = try world.canonicalTags(request) + [try world.canonicalTag("k8s"), try world.canonicalTag("k8s:\(id)")]
            var pools: [JSON] = []
            for pool in request.body?["node_pools"]?.arrayValue ?? [] {
                guard let poolName = pool["name"]?.stringValue, !poolName.isEmpty, let size = pool["size"]?.stringValue,
                    let count = pool["count"]?.intValue
                else { throw APIFailure.unprocessable("each node pool needs name, size and count") }
                guard Catalog.size(size) != nil else { throw APIFailure.unprocessable("\(size) is not a valid node size") }
                guard (1...512).contains(count) else { throw APIFailure.unprocessable("count must be between 1 and 512") }
                let labels = pool["labels"] ?? .null
                if case .object = labels {} else if !labels.isNull { throw APIFailure.unprocessable("labels must be an object") }
                var poolTags = clusterTags
                for tag in pool["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] { poolTags.append(try world.canonicalTag(tag)) }
                poolTags.append(try world.canonicalTag("k8s:worker"))
                let nodes: [JSON] = (0..<count).map { index in
                    .object([
                        ("id", .string(SimFormat.uuid(&world.random))),
                        ("name", .string("\(poolName)-\(SimFormat.hexDigest(id + poolName, bytes: 2))\(index)")),
                        ("status", .object([("state", .string("provisioning"))])), ("droplet_id", .string("")),
                        ("created_at", .string(SimFormat.date(request.now))), ("updated_at", .string(SimFormat.date(request.now))),
                    ])
                }
                pools.append(
                    .object([
                        ("id", .string(SimFormat.uuid(&world.random))), ("name", .string(poolName)), ("size", .string(size)), ("count", .int(count)),
                        ("tags", .strings(poolTags)), ("labels", labels), ("taints", .array([])),
                        ("auto_scale", .bool(pool["auto_scale"]?.boolValue ?? false)), ("min_nodes", .int(pool["min_nodes"]?.intValue ?? 0)),
                        ("max_nodes", .int(pool["max_nodes"]?.intValue ?? 0)), ("nodes", .array(nodes)),
                    ]))
            }
            return .object([
                ("id", .string(id)), ("name", .string(name)), ("region", .string(region)), ("version", .string(version)),
                ("cluster_subnet", .string("10.244.0.0/16")), ("service_subnet", .string("10.245.0.0/16")),
                ("vpc_uuid", .string(request.string("vpc_uuid") ?? SimFormat.uuid(&world.random))), ("ipv4", .string("")),
                ("endpoint", .string("https://\(id).k8s.ondigitalocean.com")), ("tags", .strings(clusterTags)), ("node_pools", .array(pools)),
                ("maintenance_policy", .object([("start_time", .string("00:00")), ("duration", .string("4h0m0s")), ("day", .string("any"))])),
                ("auto_upgrade", .bool(request.body?["auto_upgrade"]?.boolValue ?? false)),
                ("status", .object([("state", .string("provisioning")), ("message", .string("provisioning"))])),
                ("created_at", .string(SimFormat.date(request.now))), ("updated_at", .string(SimFormat.date(request.now))),
                ("surge_upgrade", .bool(false)), ("registry_enabled", .bool(false)), ("ha", .bool(request.body?["ha"]?.boolValue ?? false)),
            ])
        },
        render: { world, object, now in
            let state = world.isProvisioned(object, now: now) ? "running" : "provisioning"
            let pools = (object.json["node_pools"]?.arrayValue ?? []).map { pool in
                let nodes = (pool["nodes"]?.arrayValue ?? []).map { $0.setting("status", .object([("state", .string(state))])) }
                return pool.setting("nodes", .array(nodes))
            }
            return object.json.setting("status", .object([("state", .string(state)), ("message", .string(state))])).setting(
                "node_pools", .array(pools)
            )
            .setting("ipv4", .string(state == "running" ? "203.0.113.\(object.sequence % 250 + 2)" : ""))
        })

    /// App Platform regions the simulator knows, with their data centers.
    static let appRegions: [(slug: String, label: String, dataCenters: [String])] = [
        ("nyc", "New York", ["nyc1", "nyc3"]), ("ams", "Amsterdam", ["ams3"]), ("sfo", "San Francisco", ["sfo3"]),
        ("sgp", "Singapore", ["sgp1"]), ("fra", "Frankfurt", ["fra1"]), ("tor", "Toronto", ["tor1"]), ("lon", "London", ["lon1"]),
        ("syd", "Sydney", ["syd1"]), ("blr", "Bangalore", ["blr1"]),
    ]

    /// `/v2/apps`: the body is `{"spec": {...}}`; created with 200, deleted with 200 and `{"id"}`.
    /// The first deployment is in progress until provisioned, then active.
    static let apps: SimCollection = SimCollection(
        path: "/v2/apps", idParameter: "id", plural: "apps", singular: "app", required: ["spec", "spec.name"], createStatus: 200,
        eventuallyConsistent: true, deleteAnswer: .id,
        build: { world, request, id in
            guard var spec = request.body?["spec"], case .object = spec, let name = spec["name"]?.stringValue else {
                throw APIFailure.unprocessable("spec.name is required")
            }
            let valid =
                name.count >= 2 && name.count <= 32 && name.first?.isLetter == true
                && name.unicodeScalars.allSatisfy {
                    ($0.isASCII && CharacterSet.lowercaseLetters.contains($0)) || ("0"..."9").contains($0) || $0 == "-"
                }
            guard valid else {
                throw APIFailure.unprocessable("spec.name must be 2 to 32 lowercase letters, digits and dashes, starting with a letter")
            }
            if world.liveObjects(of: .apps).contains(where: { $0.json["spec"]?["name"]?.stringValue == name }) {
                throw APIFailure.unprocessable("an app with this name already exists")
            }
            let regionSlug = spec["region"]?.stringValue ?? "nyc"
            guard let region = appRegions.first(where: { $0.slug == regionSlug }) else {
                throw APIFailure.unprocessable("spec.region must be one of \(appRegions.map(\.slug).joined(separator: ", "))")
            }
            spec = spec.setting("region", .string(region.slug))
            let url = "https://\(name)-\(SimFormat.hexDigest(id, bytes: 3)).ondigitalocean.app"
            let created = SimFormat.date(request.now)
            let deployment: JSON = .object([
                ("id", .string(SimFormat.uuid(&world.random))), ("spec", spec), ("phase", .string("ACTIVE")),
                ("cause", .string("initial deployment")),
                ("created_at", .string(created)), ("updated_at", .string(created)), ("phase_last_updated_at", .string(created)),
            ])
            return .object([
                ("id", .string(id)), ("owner_uuid", .string(World.accountUUID)), ("spec", spec), ("default_ingress", .string(url)),
                ("created_at", .string(created)), ("updated_at", .string(created)), ("active_deployment", deployment),
                ("last_deployment_created_at", .string(created)), ("live_url", .string(url)), ("live_url_base", .string(url)),
                ("live_domain", .string(String(url.dropFirst("https://".count)))),
                (
                    "region",
                    .object([
                        ("slug", .string(region.slug)), ("label", .string(region.label)), ("flag", .string("")), ("continent", .string("")),
                        ("data_centers", .strings(region.dataCenters)), ("default", .bool(region.slug == "nyc")),
                    ])
                ),
                ("tier_slug", .string("basic")), ("project_id", .string(request.string("project_id") ?? World.defaultProjectID)),
            ])
        },
        render: { world, object, now in
            guard !world.isProvisioned(object, now: now), let active = object.json["active_deployment"] else { return object.json }
            // Still building: the deployment is in progress and nothing is live yet.
            var json = object.json.removing("active_deployment").removing("live_url").removing("live_url_base").removing("live_domain")
            json = json.setting("in_progress_deployment", active.setting("phase", .string("BUILDING")))
            return json
        })

    /// Registry plans: slug, name, included repositories, included storage and monthly price.
    static let registryTiers: [(slug: String, name: String, repositories: Int, storage: Int, cents: Int)] = [
        ("starter", "Starter", 1, 524_288_000, 0), ("basic", "Basic", 5, 5_368_709_120, 500),
        ("professional", "Professional", 0, 107_374_182_400, 2000),
    ]

    /// `/v2/registry`: at most one per account; 404 to a GET when there is none.
    static let registry: SimCollection = SimCollection(
        path: "/v2/registry", idParameter: "registry_name", plural: "registries", singular: "registry", required: ["name", "subscription_tier_slug"],
        singleton: true,
        build: { world, request, _ in
            let name = request.string("name") ?? ""
            let valid =
                name.count <= 63
                && name.unicodeScalars.allSatisfy {
                    ($0.isASCII && CharacterSet.lowercaseLetters.contains($0)) || ("0"..."9").contains($0) || $0 == "-"
                }
            guard valid, name.first != "-", name.last != "-" else {
                throw APIFailure.unprocessable("name must be up to 63 lowercase letters, digits and dashes")
            }
            guard let tier = registryTiers.first(where: { $0.slug == request.string("subscription_tier_slug") }) else {
                throw APIFailure.unprocessable("subscription_tier_slug must be one of \(registryTiers.map(\.slug).joined(separator: ", "))")
            }
            let region = try world.knownRegion(request.string("region") ?? "nyc3")
            let created = SimFormat.date(request.now)
            return .object([
                ("name", .string(name)), ("created_at", .string(created)), ("region", .string(region)), ("storage_usage_bytes", .int(0)),
                ("storage_usage_bytes_updated_at", .string(created)),
                (
                    "subscription",
                    .object([
                        (
                            "tier",
                            .object([
                                ("name", .string(tier.name)), ("slug", .string(tier.slug)), ("included_repositories", .int(tier.repositories)),
                                ("included_storage_bytes", .int(tier.storage)), ("allow_storage_overage", .bool(tier.slug != "starter")),
                                ("included_bandwidth_bytes", .int(tier.storage)), ("monthly_price_in_cents", .int(tier.cents)),
                                ("storage_overage_price_in_cents", .int(2)),
                            ])
                        ),
                        ("created_at", .string(created)), ("updated_at", .string(created)),
                    ])
                ),
            ])
        })
}
