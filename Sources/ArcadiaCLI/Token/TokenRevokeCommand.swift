import AccessControl
import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging

/// `arcadia token revoke ID`.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an API token: its dashboard sessions end at once, API requests within the servers' token cache (5 s).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The token's id (from `arcadia token list`).")
    var id: String

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("'\(id)' is not a token id (a UUID from `arcadia token list`)") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let id = UUID(uuidString: self.id) ?? UUID()
        let revoked = try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in
            try await store.revokeToken(id: id, at: Date())
        }
        guard revoked else { throw ValidationError("no live token \(self.id)") }
        print("revoked \(self.id)")
    }
}
