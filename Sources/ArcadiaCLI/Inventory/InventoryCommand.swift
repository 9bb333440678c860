import ArgumentParser

/// `arcadia inventory`: what runs in the DigitalOcean account.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory", abstract: "Sync and show the inventory of the DigitalOcean account.",
        subcommands: [InventorySyncCommand.self, InventoryListCommand.self, InventoryRunsCommand.self])
}
