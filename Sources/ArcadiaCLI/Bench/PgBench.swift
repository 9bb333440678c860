import ArcadiaStorage
import ArgumentParser
import Foundation

/// Measures PostgreSQL's own commit ceiling with pgbench: one-row INSERT per transaction.
enum PgBench {
    static func run(_ url: DatabaseURL.PostgresURL, transactionsPerClient: Int, clients: Int) throws -> Double {
        guard let binary = locate("pgbench"), let psql = locate("psql") else {
            throw ValidationError("pgbench or psql not found (install postgresql-contrib / postgresql-client)")
        }
        let base = ["-h", url.host, "-p", "\(url.port)", "-U", url.username]
        var environment = ProcessInfo.processInfo.environment
        if let password = url.password { environment["PGPASSWORD"] = password }
        _ = try execute(
            psql, base + ["-d", url.database, "-qc", "CREATE TABLE IF NOT EXISTS public.arcadia_pgbench (id bigserial PRIMARY KEY, v integer)"],
            environment)
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-pgbench-\(UUID().uuidString).sql")
        try "INSERT INTO public.arcadia_pgbench (v) VALUES (1);\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let output = try execute(
            binary, base + ["-n", "-c", "\(clients)", "-j", "2", "-t", "\(transactionsPerClient)", "-f", script.path, url.database], environment)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst("tps = ".count).prefix { $0.isNumber || $0 == "." })
        else { throw ValidationError("could not read pgbench's tps from:\n\(output)") }
        _ = try? execute(psql, base + ["-d", url.database, "-qc", "DROP TABLE IF EXISTS public.arcadia_pgbench"], environment)
        return tps
    }

    private static func locate(_ name: String) -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func execute(_ binary: String, _ arguments: [String], _ environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("\((binary as NSString).lastPathComponent) failed: \(output.suffix(1000))")
        }
        return output
    }
}
