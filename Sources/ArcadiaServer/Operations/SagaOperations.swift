/// What operators do with sagas, as one facade for the CLI and the server: on the database
/// (``EngineSagaOperations``, which the server's routes use too) or through the JSON API
/// (``RemoteSagaOperations``). Both answer the same ``SagaJSON`` objects and fail with the same
/// ``APIError``s, so a command prints the same thing either way.
package protocol SagaOperations: Sendable {
    /// Starts a saga; `created` is false when the idempotency key named an existing one.
    func start(_ request: SagaStartRequest) async throws -> (saga: SagaJSON, created: Bool)

    /// A page of sagas, newest first.
    func list(_ query: SagaQuery) async throws -> SagaPage

    /// One saga with its steps, events and what it waits for.
    func detail(_ id: String) async throws -> SagaJSON

    /// An operator's action on one saga; the saga after it.
    func perform(_ action: SagaAction, on id: String) async throws -> SagaJSON
}
