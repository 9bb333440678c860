import Foundation
import Testing

/// `arcadia serve --fake-do` as a child process on a new SQLite file in a temporary directory,
/// with the admin token it prints on first start and the address it listens on.
struct ServeProcess {
    let process: ChildProcess
    let directory: URL
    let database: String
    let token: String
    let address: String

    /// Starts the server and waits until it listens.
    static func start() async throws -> ServeProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = "sqlite:" + directory.appendingPathComponent("a.sqlite").path
        let process = try ChildProcess(["serve", "--database", database, "--port", "0", "--fake-do", "--sync-interval-seconds", "0"])
        do {
            let output = try await process.waitForOutput(containing: "listening on ")
            let lines = output.split(separator: "\n")
            let token = try #require(lines.first { $0.hasPrefix("admin token") }?.split(separator: " ").last.map(String.init))
            let address = try #require(lines.first { $0.hasPrefix("listening on ") }?.dropFirst("listening on ".count))
            return ServeProcess(process: process, directory: directory, database: database, token: token, address: String(address))
        } catch {
            process.kill()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Kills the server if it still runs and removes its directory.
    func cleanUp() {
        process.kill()
        try? FileManager.default.removeItem(at: directory)
    }
}
