import PostgresNIO
import Synchronization

/// The hot-path statements (start, claim, advance a step, finish a saga) run as prepared
/// statements, so PostgreSQL parses them once per connection instead of on every step.
///
/// ``SQLBuilder`` produces the same text for every transition of one shape; the first statement
/// of a shape fixes its text and parameter types, and any later statement whose text or types
/// differ runs unprepared. The types are declared when the statement is prepared, never inferred
/// from the first execution's values.
protocol PreparedShape {
    static var shapeName: String { get }
}

enum CreateShape: PreparedShape { static let shapeName = "arcadia_create_v2" }
enum CreateDeliveredShape: PreparedShape { static let shapeName = "arcadia_create_delivered_v1" }
enum StartsShape: PreparedShape { static let shapeName = "arcadia_starts_v1" }
enum ClaimShape: PreparedShape { static let shapeName = "arcadia_claim_v2" }
enum AdvanceShape: PreparedShape { static let shapeName = "arcadia_advance_v2" }
enum FinishShape: PreparedShape { static let shapeName = "arcadia_finish_v2" }
enum CompleteShape: PreparedShape { static let shapeName = "arcadia_complete_v1" }
enum BatchShape: PreparedShape { static let shapeName = "arcadia_batch_v2" }

/// The text and parameter types fixed for each shape.
private let shapeTexts = Mutex<[String: (sql: String, types: [PostgresDataType])]>([:])

/// A built statement run as the prepared statement of `Shape`.
struct PreparedQuery<Shape: PreparedShape>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { Shape.shapeName }
    static var sql: String { shapeTexts.withLock { $0[Shape.shapeName]?.sql } ?? "" }
    static var bindingDataTypes: [PostgresDataType] { shapeTexts.withLock { $0[Shape.shapeName]?.types } ?? [] }

    let bindings: PostgresBindings

    /// The prepared form of `statement`, or nil when its text or types are not this shape's.
    init?(_ statement: SQLBuilder) {
        let matches = shapeTexts.withLock { texts -> Bool in
            if let fixed = texts[Shape.shapeName] { return fixed.sql == statement.sql && fixed.types == statement.types }
            texts[Shape.shapeName] = (statement.sql, statement.types)
            return true
        }
        guard matches else { return nil }
        self.bindings = statement.binds
    }

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresSagaStore {
    /// Runs `statement` prepared as `shape` when its text and types match, else as an unnamed statement.
    func execute<Shape: PreparedShape>(_ statement: SQLBuilder, as shape: Shape.Type) async throws -> [PostgresRow] {
        do {
            return try await executeUnmapped(statement, as: shape)
        } catch {
            throw mapError(error)
        }
    }

    /// As ``execute(_:as:)``, with postgres-nio's own errors (callers that must tell a statement
    /// PostgreSQL rejected from one whose outcome is unknown).
    func executeUnmapped<Shape: PreparedShape>(_ statement: SQLBuilder, as shape: Shape.Type) async throws -> [PostgresRow] {
        counter.statement()
        var rows: [PostgresRow] = []
        if let prepared = PreparedQuery<Shape>(statement) {
            for try await row in try await client.execute(prepared, logger: logger) { rows.append(row) }
        } else {
            for try await row in try await client.query(statement.query, logger: logger) { rows.append(row) }
        }
        return rows
    }
}
