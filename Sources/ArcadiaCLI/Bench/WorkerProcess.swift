import ArgumentParser
import Foundation
import SagaEngine

/// An `arcadia worker` child process used by the benchmark. Its statement counters come from the
/// JSON file it writes on SIGUSR1 and at exit (`--statistics-file`), not from its log.
final class WorkerProcess: Sendable {
    private let process: Process
    private let statisticsPath: String

    init(url: String, concurrency: Int) throws {
        statisticsPath = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-worker-\(UUID().uuidString).json").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "worker", "--database", url, "--concurrency", "\(concurrency)", "--poll-seconds", "1", "--announce-finished",
            "--statistics-file", statisticsPath,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["ARCADIA_LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: statisticsPath)
    }

    /// Waits until the worker has written its first counters (it is up and traps SIGUSR1).
    func waitUntilStarted(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while FileManager.default.contents(atPath: statisticsPath) == nil {
            guard process.isRunning else { throw ValidationError("a worker process exited early (status \(process.terminationStatus))") }
            guard ContinuousClock.now < deadline else { throw ValidationError("a worker process did not start within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The worker's counters now.
    func statistics(timeout: Duration = .seconds(10)) async throws -> StoreStatistics {
        try? FileManager.default.removeItem(atPath: statisticsPath)
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(5)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw ValidationError("a worker process exited early (status \(process.terminationStatus))") }
            kill(process.processIdentifier, SIGUSR1)
            try await Task.sleep(for: delay)
            if let data = FileManager.default.contents(atPath: statisticsPath) {
                return try JSONDecoder().decode(StoreStatistics.self, from: data)
            }
            delay = min(delay * 2, .milliseconds(200))
        }
        throw ValidationError("a worker process did not report its statistics within \(timeout)")
    }

    /// Stops the worker (SIGTERM) and returns the counters it wrote at exit.
    func stop() async throws -> StoreStatistics {
        try? FileManager.default.removeItem(atPath: statisticsPath)
        process.terminate()
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        guard let data = FileManager.default.contents(atPath: statisticsPath) else {
            throw ValidationError("a worker process exited (status \(process.terminationStatus)) without writing its statistics")
        }
        return try JSONDecoder().decode(StoreStatistics.self, from: data)
    }
}

/// This process's peak resident memory.
enum ProcessMemory {
    static var peakResidentMegabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "0") ?? 0
        return kilobytes / 1024
    }
}
