import Foundation
import Synchronization

/// The control API under the reserved prefix `/_fake` (no token needed):
///
/// | request | does |
/// | --- | --- |
/// | `POST /_fake/reset` | empties the account, restores the start-up settings, clears audit and clock offset |
/// | `GET /_fake/settings` | lags, rate limits, faults and droplet limit |
/// | `PATCH /_fake/settings` | changes the sections given (`lags`, `rate_limits`, `faults`, `droplet_limit`) |
/// | `GET/POST/DELETE /_fake/faults` | lists, adds (one rule or `{"faults": [...]}`), clears fault rules |
/// | `GET /_fake/clock`, `POST /_fake/clock/advance` | reads the simulated time; moves it by `{"seconds": N}` |
/// | `GET /_fake/state` | every object, deleted ones included (with `deleted_at`) |
/// | `GET /_fake/audit` | every mutating request: route, body, status, fault, ids created |
/// | `GET /_fake/stats` | requests per token label and responses per status |
/// | `GET /_fake/routes` | every operation the simulator serves (method and spec path template) |
extension Simulator {
    func control(_ exchange: Exchange, segments: [String], requestID: String) -> Answer {
        let body = exchange.body.isEmpty ? nil : try? JSON.parse(exchange.body)
        if !exchange.body.isEmpty && body == nil {
            return failure(.badRequest("the control API takes JSON bodies"), requestID: requestID, limits: [])
        }
        let decoder = JSONDecoder()
        do {
            let result: JSON = try world.withLock { world in
                switch (exchange.method, segments) {
                case ("POST", ["reset"]):
                    world = World(settings: initialSettings, seed: seed, frozen: frozenClock)
                    return .object([("reset", .bool(true))])
                case ("GET", ["settings"]):
                    return try Self.json(world.settings)
                case ("PATCH", ["settings"]), ("PUT", ["settings"]), ("POST", ["settings"]):
                    // Sections and fields not named keep their current values.
                    let current = try JSONSerialization.jsonObject(with: JSONEncoder().encode(world.settings)) as? [String: Any] ?? [:]
                    guard let changes = try JSONSerialization.jsonObject(with: exchange.body) as? [String: Any] else {
                        throw APIFailure.badRequest("send a JSON object with lags, rate_limits, faults or droplet_limit")
                    }
                    let known = Set(current.keys)
                    if let unknown = changes.keys.first(where: { !known.contains($0) }) {
                        throw APIFailure.badRequest("unknown setting '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
                    }
                    var merged = current
                    for (key, value) in changes {
                        if let section = value as? [String: Any], let existing = current[key] as? [String: Any] {
                            merged[key] = existing.merging(section) { $1 }
                        } else {
                            merged[key] = value
                        }
                    }
                    let settings = try decoder.decode(SimulatorSettings.self, from: JSONSerialization.data(withJSONObject: merged))
                    if settings.rateLimits != world.settings.rateLimits { world.rateWindows = [:] }
                    world.settings = settings
                    return try Self.json(world.settings)
                case ("GET", ["faults"]):
                    return try Self.json(world.settings.faults)
                case ("POST", ["faults"]):
                    if let many = try? decoder.decode(FaultList.self, from: exchange.body) {
                        world.settings.faults += many.faults
                    } else {
                        world.settings.faults.append(try decoder.decode(FaultRule.self, from: exchange.body))
                    }
                    return try Self.json(world.settings.faults)
                case ("DELETE", ["faults"]):
                    world.settings.faults = []
                    return .array([])
                case ("GET", ["clock"]):
                    return .object([("now", .string(SimFormat.date(world.now))), ("offset_seconds", .number(String(world.clockOffset)))])
                case ("POST", ["clock", "advance"]):
                    guard let seconds = body?["seconds"]?.doubleValue, seconds >= 0 else {
                        throw APIFailure.badRequest("send {\"seconds\": N} with N >= 0")
                    }
                    world.clockOffset += seconds
                    world.settle(world.now)
                    return .object([("now", .string(SimFormat.date(world.now))), ("offset_seconds", .number(String(world.clockOffset)))])
                case ("GET", ["state"]):
                    world.settle(world.now)
                    return world.stateJSON()
                case ("GET", ["audit"]):
                    return .object([("entries", .array(world.audit.map(\.json)))])
                case ("GET", ["routes"]):
                    return .object([
                        ("routes", .array(SimRoute.all.map { .object([("method", .string($0.method)), ("path", .string($0.template))]) }))
                    ])
                case ("GET", ["stats"]):
                    return .object([
                        ("requests_by_token", .object(world.requestsByToken.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                        ("responses_by_status", .object(world.responsesByStatus.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) })),
                    ])
                default:
                    throw APIFailure.notFound()
                }
            }
            return Answer(
                status: 200, headers: [("x-request-id", requestID), ("content-type", "application/json; charset=utf-8")], body: Data(result.text.utf8)
            )
        } catch let failure as APIFailure {
            return self.failure(failure, requestID: requestID, limits: [])
        } catch {
            return self.failure(.badRequest("invalid control request: \(error)"), requestID: requestID, limits: [])
        }
    }

    private struct FaultList: Decodable { var faults: [FaultRule] }

    static func json(_ value: some Encodable) throws -> JSON {
        try JSON.parse(try JSONEncoder().encode(value))
    }
}
