import Foundation
import Synchronization

extension Simulator {
    /// The simulated time (the wall clock, or the frozen instant, plus what the control API
    /// advanced): a test's clock that agrees with the `created_at` the simulator hands out.
    public var now: Date { world.withLock { $0.now } }
}
