import CloudOps
package import OpenAPIRuntime

/// ``InventoryOperations`` through a running server's JSON API (`arcadia inventory ... --server`,
/// `arcadia drift --server`), with the client generated from `openapi.yaml`.
package struct RemoteInventoryOperations: InventoryOperations {
    let api: RemoteAPI

    package init(api: RemoteAPI) { self.api = api }

    package func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource] {
        switch try await api.call({ try await $0.listInventory(query: .init(kind: kind, includeDeleted: includeDeleted)) }) {
        case .ok(let ok): return try RemoteAPI.convert(ok.body.json.resources, to: [InventoryJSON.Resource].self).map(\.resource)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func sync() async throws -> SyncRun {
        switch try await api.call({ try await $0.syncInventory() }) {
        case .ok(let ok): return try RemoteAPI.convert(ok.body.json, to: InventoryJSON.Run.self).run
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func runs(limit: Int) async throws -> [SyncRun] {
        switch try await api.call({ try await $0.listSyncRuns(query: .init(limit: limit)) }) {
        case .ok(let ok): return try RemoteAPI.convert(ok.body.json.runs, to: [InventoryJSON.Run].self).map(\.run)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }

    package func drift() async throws -> DriftReport {
        switch try await api.call({ try await $0.getDrift() }) {
        case .ok(let ok): return try RemoteAPI.convert(ok.body.json, to: DriftReport.self)
        case .default(let status, let error): throw RemoteAPI.error(status, error)
        }
    }
}
