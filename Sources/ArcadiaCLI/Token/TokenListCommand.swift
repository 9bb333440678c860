import AccessControl
import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging

/// `arcadia token list`: the tokens, never their secrets.
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List API tokens (prefixes only), newest first.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let tokens = try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in try await store.tokens() }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(tokens), as: UTF8.self))
            return
        }
        guard !tokens.isEmpty else { return print("no tokens (create one with `arcadia token create --role admin`)") }
        for token in tokens {
            let state = token.revokedAt.map { "revoked \($0.formatted(.iso8601))" } ?? "live"
            print(
                "\(token.id.uuidString.lowercased())  \(token.prefix)…  \(token.role.rawValue)\(token.tenantID.map { ":\($0)" } ?? "")  "
                    + "\(token.name)  \(state)")
        }
    }
}
