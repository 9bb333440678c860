import ArcadiaServer
import ArgumentParser
import Logging
import SagaEngine

/// `arcadia saga list`: the newest sagas, filtered.
struct SagaListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List sagas, newest first.")

    @OptionGroup var target: TargetOptions

    @Option(help: "Only this status (\(SagaStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: String?

    @Option(help: "Only this template.")
    var template: String?

    @Option(help: "Only this kind (\(SagaKind.allCases.map(\.rawValue).joined(separator: ", "))).")
    var kind: String?

    @Option(help: "Only sagas of this deployment.")
    var deployment: String?

    @Option(help: "The page after this cursor (printed by the previous page).")
    var cursor: String?

    @Option(help: "At most this many (1 to 500).")
    var limit: Int = 50

    @Flag(help: "Print JSON: {\"sagas\": [...], \"next_cursor\": ...}.")
    var json = false

    func validate() throws {
        if let status, SagaStatus(rawValue: status) == nil {
            throw ValidationError(
                "unknown status '\(status)'; use one of: \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let kind, SagaKind(rawValue: kind) == nil {
            throw ValidationError("unknown kind '\(kind)'; use one of: \(SagaKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let query = SagaQuery(status: status, template: template, kind: kind, deployment: deployment, cursor: cursor, limit: limit)
        let json = self.json
        try await target.withSagaOperations(logger: Logger(label: "arcadia.cli")) { sagas in
            let page = try await sagas.list(query)
            if json {
                print(SagaJSON.render(Page(sagas: page.sagas, nextCursor: page.nextCursor)))
            } else {
                print(SagaPrinter.table(page.sagas))
                if let next = page.nextCursor { print("more: --cursor \(next)") }
            }
        }
    }

    private struct Page: Encodable {
        var sagas: [SagaJSON]
        var nextCursor: String?
    }
}
