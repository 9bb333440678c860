import Foundation

/// Runs another program (openssl, pydo, schemathesis) to completion.
enum ProcessRunner {
    /// Runs `executable` without blocking a concurrency thread; returns its status and its
    /// standard output and error together.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) async throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        if let directory { process.currentDirectoryURL = directory }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-out-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw HarnessError(message: "cannot create \(output.path) for the child's output")
        }
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try handle.close()
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
