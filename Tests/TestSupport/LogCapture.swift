public import Logging
import Synchronization

/// A log handler that keeps every line, to prove what gets logged and what never does. Shared by
/// the test targets.
public final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.level) \(event.message) \(merged)") }
    }

    /// Every line so far, one per line.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
