import Foundation
import Logging
import SagaEngine
import ServiceLifecycle

/// Runs the inventory sync on its schedule inside a worker (a `Service`): every `checkEvery` it
/// asks the store to start a sync if none started within the interval. Every worker and node may
/// run one; the store lets one sync start per interval and never two at once.
public struct InventoryScheduler: Service {
    /// The sync it runs.
    public let sync: InventorySync
    let checkEvery: Duration
    let logger: Logger
    let onRun: @Sendable (SyncRun) -> Void

    /// Creates a scheduler; `checkEvery` defaults to a tenth of the interval, at most a minute;
    /// `onRun` hears of each sync it ran.
    public init(
        sync: InventorySync, checkEvery: Duration? = nil, logger: Logger = Logger(label: "arcadia.inventory"),
        onRun: @escaping @Sendable (SyncRun) -> Void = { _ in }
    ) {
        self.sync = sync
        self.checkEvery = checkEvery ?? min(sync.configuration.interval / 10, .seconds(60))
        self.logger = logger
        self.onRun = onRun
    }

    public func run() async throws {
        logger.info("inventory sync scheduled", metadata: ["sync.interval_s": "\(sync.configuration.interval.seconds)"])
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if let run = try await sync.syncIfDue() {
                        onRun(run)
                        logger.info("scheduled inventory sync done", metadata: ["sync.id": "\(run.id)", "sync.status": "\(run.status.rawValue)"])
                    } else {
                        logger.debug("inventory sync not started: another is running or one ran within the interval")
                    }
                } catch is CancellationError {
                    return
                } catch {
                    // The next check tries again; the run row (if one started) says what failed.
                    logger.error("scheduled inventory sync failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: checkEvery)
            }
        }
    }
}
