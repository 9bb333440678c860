import Foundation
import Metrics
import Synchronization

/// The engine's swift-metrics instruments, made from an injected factory.
///
/// Dimensions have low cardinality (template, step name, status, phase); never saga ids.
///
/// | metric | kind | dimensions |
/// | --- | --- | --- |
/// | `arcadia_sagas_started_total` | counter | `template` |
/// | `arcadia_sagas_finished_total` | counter | `template`, `status` |
/// | `arcadia_saga_step_duration_seconds` | timer | `step`, `phase` (`execute`/`compensate`) |
/// | `arcadia_saga_claims_total` | counter | `source` (`dispatcher`: a claim statement; `commit`: ridden on a final commit) |
/// | `arcadia_saga_claims_empty_total` | counter | `source` |
/// | `arcadia_saga_lease_reclaims_total` | counter | |
/// | `arcadia_saga_slots_busy` | meter | |
/// | `arcadia_saga_queue_depth` | gauge | (sampled by idle workers) |
/// | `arcadia_saga_commit_batch_size` | recorder | (written by the store) |
package final class EngineMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])
    private let leaseReclaims: Counter
    private let slotsBusy: Meter
    private let queueDepth: Gauge

    package init(factory: any MetricsFactory) {
        self.factory = factory
        self.leaseReclaims = Counter(label: "arcadia_saga_lease_reclaims_total", factory: factory)
        self.slotsBusy = Meter(label: "arcadia_saga_slots_busy", factory: factory)
        self.queueDepth = Gauge(label: "arcadia_saga_queue_depth", factory: factory)
    }

    package func leaseReclaimed() { leaseReclaims.increment() }

    package func slotBusy() { slotsBusy.increment() }

    package func slotIdle() { slotsBusy.decrement() }

    package func sampledQueueDepth(_ depth: Int) { queueDepth.record(depth) }

    package func sagaStarted(template: String) {
        counter("arcadia_sagas_started_total", [("template", template)]).increment()
    }

    package func sagaFinished(template: String, status: SagaStatus) {
        counter("arcadia_sagas_finished_total", [("template", template), ("status", status.rawValue)]).increment()
    }

    /// A claim: by the dispatcher (`claimed` of `limit`), or ridden on a final commit.
    package func claim(source: String, claimed: Int) {
        counter("arcadia_saga_claims_total", [("source", source)]).increment()
        if claimed == 0 { counter("arcadia_saga_claims_empty_total", [("source", source)]).increment() }
    }

    package func stepDuration(step: String, phase: String, _ duration: Duration) {
        let key = "\(step)\u{1}\(phase)"
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(
                label: "arcadia_saga_step_duration_seconds", dimensions: [("step", step), ("phase", phase)], factory: factory)
            timers[key] = timer
            return timer
        }
        timer.record(duration: duration)
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{1}")
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }
}
