import AccessControl
import ArcadiaStorage
import ArgumentParser
import Billing
import Foundation
import Logging

/// `arcadia token create`: issues a token and prints its secret once.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Issue an API token and print its secret (shown once; only its hash is stored).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "admin, operator (sagas and inventory), viewer (read only) or tenant (its own tenant's deployments and invoices).")
    var role: String

    @Option(help: "The tenant a tenant token is scoped to (it must exist: arcadia tenant create).")
    var tenant: String?

    @Option(help: "A label for people (default: the role).")
    var name: String?

    @Flag(help: "Print {\"token\": ..., \"id\", \"role\", \"tenant_id\", \"name\", \"prefix\"}.")
    var json = false

    func validate() throws {
        guard let parsed = Role(rawValue: role) else {
            throw ValidationError("unknown role '\(role)'; use one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if parsed == .tenant && (tenant ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("a tenant token needs --tenant T")
        }
        if parsed != .tenant && tenant != nil { throw ValidationError("--tenant is for --role tenant only; \(role) sees every tenant") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let role = Role(rawValue: self.role) ?? .viewer
        let (tenant, name) = (self.tenant, self.name ?? self.role)
        let (token, secret) = try await StoreFactory.withStore(try database.url(), logger: Logger(label: "arcadia.cli")) { store in
            // A token for a tenant nobody created would start working the day someone creates one by that name.
            if let tenant = tenant?.trimmingCharacters(in: .whitespaces), role == .tenant, try await store.tenant(id: tenant) == nil {
                throw ValidationError("no tenant '\(tenant.prefix(64))'; create it first (arcadia tenant create)")
            }
            do {
                return try await TokenIssuer(store: store).issue(name: name, role: role, tenantID: tenant)
            } catch let error as AccessError {
                throw ValidationError(error.message)
            }
        }
        if json {
            let object: [String: Any] = [
                "token": secret, "id": token.id.uuidString.lowercased(), "role": token.role.rawValue, "tenant_id": token.tenantID ?? NSNull(),
                "name": token.name, "prefix": token.prefix,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(
                """
                \(secret)
                token \(token.id.uuidString.lowercased()) (\(token.role.rawValue)\(token.tenantID.map { " of tenant \($0)" } ?? "")): \
                keep the secret above; it is not stored and cannot be shown again
                """)
        }
    }
}
