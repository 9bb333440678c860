import Foundation

/// Sizes, regions and public images the simulator offers. The first size, the New York and
/// Toronto regions and `ubuntu-20-04-x64` are the objects of the spec's examples
/// (`do-openapi/`); the rest follow DigitalOcean's public catalogue in the same shape.
enum Catalog {
    struct SizeSpec: Sendable {
        var slug: String
        var memory: Int
        var vcpus: Int
        var disk: Int
        var transfer: String
        var priceMonthly: String
        var priceHourly: String
        var description: String
    }

    struct RegionSpec: Sendable {
        var slug: String
        var name: String
    }

    struct ImageSpec: Sendable {
        var id: Int
        var slug: String
        var name: String
        var distribution: String
        var type: String
        var minDiskSize: Int
        var sizeGigabytes: String
    }

    static let sizes: [SizeSpec] = [
        SizeSpec(
            slug: "s-1vcpu-1gb", memory: 1024, vcpus: 1, disk: 25, transfer: "1.0", priceMonthly: "5.0", priceHourly: "0.00743999984115362",
            description: "Basic"),
        // The size the first real runs used (syd1), and DigitalOcean's smallest.
        SizeSpec(
            slug: "s-1vcpu-512mb-10gb", memory: 512, vcpus: 1, disk: 10, transfer: "0.5", priceMonthly: "4.0",
            priceHourly: "0.00595238", description: "Basic"),
        SizeSpec(
            slug: "s-1vcpu-2gb", memory: 2048, vcpus: 1, disk: 50, transfer: "2.0", priceMonthly: "12.0", priceHourly: "0.01786000095307827",
            description: "Basic"),
        SizeSpec(
            slug: "s-2vcpu-2gb", memory: 2048, vcpus: 2, disk: 60, transfer: "3.0", priceMonthly: "18.0", priceHourly: "0.02678999863564968",
            description: "Basic"),
        SizeSpec(
            slug: "s-2vcpu-4gb", memory: 4096, vcpus: 2, disk: 80, transfer: "4.0", priceMonthly: "24.0", priceHourly: "0.03572000190615654",
            description: "Basic"),
        SizeSpec(
            slug: "s-4vcpu-8gb", memory: 8192, vcpus: 4, disk: 160, transfer: "5.0", priceMonthly: "48.0", priceHourly: "0.07143000513315201",
            description: "Basic"),
        // GPU droplets: left out of the default droplet listing (`type=gpus` lists them).
        SizeSpec(
            slug: "gpu-4000adax1-20gb", memory: 32_768, vcpus: 8, disk: 500, transfer: "10.0", priceMonthly: "565.44", priceHourly: "0.76",
            description: "GPU RTX 4000 Ada - 1X"),
        SizeSpec(
            slug: "gpu-h100x1-80gb", memory: 245_760, vcpus: 20, disk: 720, transfer: "15.0", priceMonthly: "2522.16", priceHourly: "3.39",
            description: "GPU H100 - 1X"),
    ]

    /// Whether a size is a GPU droplet's.
    static func isGPU(_ slug: String) -> Bool { slug.hasPrefix("gpu-") }

    static let regions: [RegionSpec] = [
        RegionSpec(slug: "nyc1", name: "New York 1"), RegionSpec(slug: "nyc2", name: "New York 2"),
        RegionSpec(slug: "nyc3", name: "New York 3"), RegionSpec(slug: "tor1", name: "Toronto 1"),
        RegionSpec(slug: "sfo3", name: "San Francisco 3"), RegionSpec(slug: "ams3", name: "Amsterdam 3"),
        RegionSpec(slug: "fra1", name: "Frankfurt 1"), RegionSpec(slug: "lon1", name: "London 1"),
        RegionSpec(slug: "sgp1", name: "Singapore 1"), RegionSpec(slug: "syd1", name: "Sydney 1"),
        RegionSpec(slug: "blr1", name: "Bangalore 1"),
    ]

    /// Sizes a region does not offer: a create there gets DigitalOcean's 422 "Size is not
    /// available in this region." (the larger Basic sizes are sold out in Bangalore here).
    static let unavailable: [String: Set<String>] = ["blr1": ["s-2vcpu-4gb", "s-4vcpu-8gb"]]

    /// Whether `region` offers `size`.
    static func offers(_ region: String, _ size: String) -> Bool { !(unavailable[region]?.contains(size) ?? false) }

    static let regionFeatures = ["private_networking", "backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"]

    static let images: [ImageSpec] = [
        ImageSpec(
            id: 63_663_980, slug: "ubuntu-20-04-x64", name: "20.04 (LTS) x64", distribution: "Ubuntu", type: "base", minDiskSize: 20,
            sizeGigabytes: "2.36"),
        ImageSpec(
            id: 129_211_873, slug: "ubuntu-22-04-x64", name: "22.04 (LTS) x64", distribution: "Ubuntu", type: "base", minDiskSize: 7,
            sizeGigabytes: "2.27"),
        ImageSpec(
            id: 155_133_621, slug: "ubuntu-24-04-x64", name: "24.04 (LTS) x64", distribution: "Ubuntu", type: "base", minDiskSize: 7,
            sizeGigabytes: "2.44"),
        ImageSpec(
            id: 139_280_389, slug: "debian-12-x64", name: "12 x64", distribution: "Debian", type: "base", minDiskSize: 7, sizeGigabytes: "1.09"),
    ]

    static func size(_ slug: String) -> SizeSpec? { sizes.first { $0.slug == slug } }

    /// A managed database node's monthly list price by size slug (digitalocean.com/pricing/managed-databases;
    /// a cluster is billed per node). Sizes not here are not billed by the simulator.
    static let databaseNodeMonthly: [String: Decimal] = [
        "db-s-1vcpu-1gb": 15, "db-s-1vcpu-2gb": 30, "db-s-2vcpu-4gb": 60, "db-s-4vcpu-8gb": 120, "db-s-6vcpu-16gb": 240,
        "db-s-8vcpu-32gb": 480, "db-s-16vcpu-64gb": 960,
    ]
    static func region(_ slug: String) -> RegionSpec? { regions.first { $0.slug == slug } }

    static func sizeJSON(_ size: SizeSpec) -> JSON {
        .object([
            ("slug", .string(size.slug)), ("memory", .int(size.memory)), ("vcpus", .int(size.vcpus)), ("disk", .int(size.disk)),
            ("transfer", .number(size.transfer)), ("price_monthly", .number(size.priceMonthly)), ("price_hourly", .number(size.priceHourly)),
            ("regions", .strings(regions.map(\.slug).filter { offers($0, size.slug) })), ("available", .bool(true)),
            ("description", .string(size.description)),
            (
                "disk_info",
                .array([.object([("type", .string("local")), ("size", .object([("amount", .int(size.disk)), ("unit", .string("gib"))]))])])
            ),
        ])
    }

    static func regionJSON(_ slug: String) -> JSON {
        let region = region(slug) ?? RegionSpec(slug: slug, name: slug)
        return .object([
            ("name", .string(region.name)), ("slug", .string(region.slug)), ("features", .strings(regionFeatures)), ("available", .bool(true)),
            ("sizes", .strings(sizes.map(\.slug).filter { offers(slug, $0) })),
        ])
    }

    static func imageJSON(_ image: ImageSpec) -> JSON {
        .object([
            ("id", .int(image.id)), ("name", .string(image.name)), ("distribution", .string(image.distribution)), ("slug", .string(image.slug)),
            ("public", .bool(true)), ("regions", .strings(regions.map(\.slug))), ("created_at", .string("2020-05-15T05:47:50Z")),
            ("type", .string(image.type)), ("min_disk_size", .int(image.minDiskSize)), ("size_gigabytes", .number(image.sizeGigabytes)),
            ("description", .string("Ubuntu \(image.name)")), ("tags", .array([])), ("status", .string("available")),
            ("error_message", .string("")),
        ])
    }
}
