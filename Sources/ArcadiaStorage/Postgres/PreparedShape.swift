import PostgresNIO
import Synchronization

/// The hot-path statements (start, claim, advance a step, finish a saga) run as prepared
/// statements, so PostgreSQL parses them once per connection instead of on every step.
///
/// ``SQLBuilder`` produces the same text for every transition of one shape; the first statement
/// of a shape fixes its text, and any later statement whose text differs runs unprepared.
protocol PreparedShape {
    static var shapeName: String { get }
}

enum CreateShape: PreparedShape { static let shapeName = "arcadia_create_v1" }
enum ClaimShape: PreparedShape { static let shapeName = "arcadia_claim_v1" }
enum AdvanceShape: PreparedShape { static let shapeName = "arcadia_advance_v1" }
enum FinishShape: PreparedShape { static let shapeName = "arcadia_finish_v1" }

/// The text fixed for each shape.
private let shapeTexts = Mutex<[String: String]>([:])

/// A built statement run as the prepared statement of `Shape`.
struct PreparedQuery<Shape: PreparedShape>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { Shape.shapeName }
    static var sql: String { shapeTexts.withLock { $0[Shape.shapeName] } ?? "" }

    let bindings: PostgresBindings

    /// The prepared form of `query`, or nil when its text is not this shape's.
    init?(_ query: PostgresQuery) {
        let matches = shapeTexts.withLock { texts -> Bool in
            if let text = texts[Shape.shapeName] { return text == query.sql }
            texts[Shape.shapeName] = query.sql
            return true
        }
        guard matches else { return nil }
        self.bindings = query.binds
    }

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresSagaStore {
    /// Runs `query` prepared as `shape` when its text matches, else as an unnamed statement.
    func execute<Shape: PreparedShape>(_ query: PostgresQuery, as shape: Shape.Type) async throws -> [PostgresRow] {
        guard let prepared = PreparedQuery<Shape>(query) else { return try await execute(query) }
        counter.statement()
        do {
            var rows: [PostgresRow] = []
            for try await row in try await client.execute(prepared, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw mapError(error)
        }
    }
}
