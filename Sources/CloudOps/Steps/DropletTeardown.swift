import DigitalOcean
import Foundation
import Logging
import SagaEngine

/// Destroying a droplet and making sure it is gone.
enum DropletTeardown {
    /// Deletes the droplet (404 counts as done), then confirms with a GET that it answers 404;
    /// a droplet still there is a retryable failure (the compensation is retried with backoff).
    static func destroy(_ id: Int, client: DigitalOceanClient, context: StepContext) async throws {
        do {
            try await client.deleteDroplet(id: id)
            context.logger.notice("destroyed droplet", metadata: ["droplet.id": "\(id)"])
        } catch let error as DigitalOceanError where error.isNotFound {
            return
        }
        do {
            let droplet = try await client.droplet(id: id)
            throw CloudStepError(.stillPresent, "droplet \(id) still answers (status \(droplet.status)) after its DELETE", retryable: true)
        } catch let error as DigitalOceanError where error.isNotFound {
            return
        }
    }
}
