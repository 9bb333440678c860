import Synchronization

/// Seeding the simulated account directly, without API calls (no audit entries, no rate limits):
/// large accounts for benchmarks, and objects DigitalOcean makes on its own schedule.
extension Simulator {
    /// Inserts `droplets` droplets (active, networks set up, size `s-1vcpu-1gb` in `nyc3`, tagged
    /// `tag` when given, listed and readable at once) and `records` A records under `domain`
    /// (created with its SOA and NS records when new; the records point at the new droplets'
    /// addresses, or at documentation addresses when there are none). Ten thousand droplets and
    /// twenty thousand records take well under a second. The droplet limit is not applied.
    public func populate(droplets: Int, domain: String, records: Int, tag: String? = nil) async {
        world.withLock { $0.populate(droplets: droplets, domain: domain, records: records, tag: tag) }
    }

    /// Takes a backup of a droplet now, as DigitalOcean's backup schedule would; it is listed
    /// (under the droplet's backups and the private images) after `lags.listVisibility`.
    /// - Returns: the backup's image id, or `nil` when the droplet does not exist.
    @discardableResult
    public func addBackup(dropletID: Int) -> Int? {
        world.withLock { world in world.addBackup(dropletID: dropletID, at: world.now) }
    }

    /// Appends lines to the items of an invoice (`preview`, the running month, by default; any other
    /// UUID becomes an invoice of its own). Lines are JSON objects of the spec's `invoice_item` shape.
    public func addInvoiceItems(_ items: [JSON], invoiceUUID: String = "preview") {
        world.withLock { $0.extraInvoiceItems[invoiceUUID, default: []] += items }
    }
}
