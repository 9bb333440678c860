import Foundation
import SagaEngine
import Synchronization

/// Runs the `arcadia` executable as a child process and reads its output line by line.
final class ChildProcess: Sendable {
    private let process: Process
    private let lines = Mutex<[String]>([])
    private let signal = Mutex<[OneShot<Void>]>([])
    let stdout = Mutex<Data>(Data())

    /// The built `arcadia` binary, next to the test bundle (or `ARCADIA_BINARY`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ARCADIA_BINARY"] { return URL(fileURLWithPath: path) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = me.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("arcadia").path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("arcadia")
    }

    /// A not yet started `arcadia` process with piped standard output and error.
    private static func makeProcess(
        _ arguments: [String], environment: [String: String], logLevel: String
    ) -> (process: Process, output: Pipe, errors: Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ARCADIA_LOG_LEVEL"] = env["ARCADIA_LOG_LEVEL"] ?? logLevel
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        return (process, output, errors)
    }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let (process, outputPipe, errorPipe) = Self.makeProcess(arguments, environment: environment, logLevel: "debug")
        self.process = process
        let buffer = Mutex<String>("")
        Self.pump(errorPipe) { [weak self] data in
            guard let self else { return }
            let complete: [String] = buffer.withLock { pending in
                pending += String(decoding: data, as: UTF8.self)
                var parts = pending.components(separatedBy: "\n")
                pending = parts.removeLast()
                return parts
            }
            guard !complete.isEmpty else { return }
            self.lines.withLock { $0.append(contentsOf: complete) }
            self.wake()
        }
        Self.pump(outputPipe) { [weak self] data in
            guard let self else { return }
            self.stdout.withLock { $0.append(data) }
            self.wake()
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stderrLines: [String] { lines.withLock { $0 } }

    /// Waits until a line of standard error contains `text`; returns that line. Fails after `timeout`.
    @discardableResult
    func waitForLine(containing text: String, timeout: Duration = .seconds(30)) async throws -> String {
        do {
            return try await waitForLineUnexplained(containing: text, timeout: timeout)
        } catch let error as EngineError where error.code == .timeout {
            // What the child said last tells why the line never came.
            let tail = lines.withLock { $0.suffix(25) }.joined(separator: "\n")
            throw TestSetupError("\(error.message); its last lines:\n\(tail)")
        }
    }

    private func waitForLineUnexplained(containing text: String, timeout: Duration) async throws -> String {
        try await waitUntil(timeout, "waiting for '\(text)' from arcadia (pid \(pid))") {
            self.lines.withLock { $0.first { $0.contains(text) } }
        }
    }

    /// Waits until standard output contains one of `texts`; returns all of standard output so far.
    @discardableResult
    func waitForOutput(containing texts: String..., timeout: Duration = .seconds(60)) async throws -> String {
        try await waitUntil(timeout, "waiting for '\(texts.joined(separator: "' or '"))' on the standard output of arcadia (pid \(pid))") {
            let output = String(decoding: self.stdout.withLock { $0 }, as: UTF8.self)
            return texts.contains { output.contains($0) } ? output : nil
        }
    }

    /// Looks again each time the child writes, until `look` finds something.
    private func waitUntil<T: Sendable>(_ timeout: Duration, _ what: String, _ look: @escaping @Sendable () -> T?) async throws -> T {
        try await withTimeout(timeout, what) {
            while !Task.isCancelled {
                if let found = look() { return found }
                let wait = OneShot<Void>()
                self.signal.withLock { $0.append(wait) }
                // Output that arrived between the look above and registering is seen here.
                if look() != nil { wait.fulfil(()) }
                await wait.value(orOnCancel: ())
            }
            throw CancellationError()
        }
    }

    /// Wakes every waiter: the child wrote something.
    private func wake() {
        let waiters = signal.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.fulfil(()) }
    }

    func kill(_ signal: Int32 = SIGKILL) { _ = Foundation.kill(process.processIdentifier, signal) }

    /// Waits for the process to exit and returns its status. Fails after `timeout`.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let process = self.process
        return try await withTimeout(timeout, "waiting for arcadia (pid \(pid)) to exit") {
            let exit = OneShot<Int32?>()
            DispatchQueue.global().async {
                process.waitUntilExit()
                exit.fulfil(process.terminationStatus)
            }
            guard let status = await exit.value(orOnCancel: nil) else { throw CancellationError() }
            return status
        }
    }

    /// Runs `arcadia` to completion; returns exit status, standard output and standard error.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let (process, outputPipe, errorPipe) = makeProcess(arguments, environment: environment, logLevel: "warning")
        try process.run()
        return try await withTimeout(timeout, "arcadia \(arguments.joined(separator: " "))") {
            let finished = OneShot<(Int32, String, String)?>()
            DispatchQueue.global().async {
                let group = DispatchGroup()
                let output = Mutex(Data())
                let errors = Mutex(Data())
                group.enter()
                group.enter()
                pump(outputPipe, onEnd: { group.leave() }) { data in output.withLock { $0.append(data) } }
                pump(errorPipe, onEnd: { group.leave() }) { data in errors.withLock { $0.append(data) } }
                group.wait()
                process.waitUntilExit()
                finished.fulfil(
                    (
                        process.terminationStatus, String(decoding: output.withLock { $0 }, as: UTF8.self),
                        String(decoding: errors.withLock { $0 }, as: UTF8.self)
                    ))
            }
            guard let result = await finished.value(orOnCancel: nil) else {
                process.terminate()
                throw CancellationError()
            }
            return result
        }
    }

    /// Reads a pipe to its end on a thread of its own with plain `read(2)`, retrying on `EINTR`
    /// (Foundation's `availableData` and `readDataToEndOfFile` trap on `EINTR`, which a child's
    /// SIGCHLD can cause at any moment).
    private static func pump(_ pipe: Pipe, onEnd: @escaping @Sendable () -> Void = {}, _ onData: @escaping @Sendable (Data) -> Void) {
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    onData(Data(buffer[0..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            onEnd()
        }
        thread.start()
    }
}
