import ArcadiaServer
import Foundation
import SagaEngine

/// Follows one saga through the facade (database or API alike): prints each new event of its log
/// as it appears and, at its end, a summary (or, with `json`, the final saga object).
struct SagaWatcher {
    let operations: any SagaOperations
    let interval: Duration
    let json: Bool

    /// Follows the saga until it is terminal; answers its final status.
    func follow(_ id: String) async throws -> String {
        var printed = 0
        var heldNoted = false
        while true {
            let saga = try await operations.detail(id)
            let events = saga.events ?? []
            if !json {
                for event in events.dropFirst(printed) { print("  " + SagaPrinter.event(event, stepNames: saga.stepNames)) }
            }
            printed = max(printed, events.count)
            if SagaStatus(rawValue: saga.status)?.isTerminal == true {
                if json {
                    print(SagaJSON.render(saga))
                } else {
                    let elapsed = (saga.finishedAt ?? Date()).timeIntervalSince(saga.createdAt)
                    print("saga \(saga.id) \(saga.status) in \(Int(elapsed * 1000)) ms")
                    if let error = saga.error { print("error: \(error)") }
                }
                return saga.status
            }
            if !json, !heldNoted, events.last?.kind == "saga_held" {
                heldNoted = true
                print("  held: an operator decides (arcadia saga resume|cancel \(saga.id))")
            }
            // Shown as it happens, also when standard output is a pipe.
            fflush(nil)
            try await Task.sleep(for: interval)
        }
    }
}
