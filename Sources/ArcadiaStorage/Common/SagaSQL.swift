/// Facts about the saga tables that several statements (and both backends' migrations) share.
enum SagaSQL {
    /// The statuses a worker may claim, as an SQL list.
    static let runnableStatuses = "('pending', 'running', 'waiting', 'compensating')"

    /// The predicate of the partial index of due sagas (`saga_runs_due`, migration 3 on both
    /// backends): runnable sagas that no lock key blocks. Sagas queued behind a key are not in it,
    /// so they cost claims nothing; the saga releasing the key clears their `lock_blocked`.
    static let duePredicate = due()

    /// ``duePredicate`` on a table alias; claims and due-time queries use it so that the planner
    /// uses the index.
    static func due(_ alias: String? = nil) -> String {
        let column = alias.map { $0 + "." } ?? ""
        return "\(column)status IN \(runnableStatuses) AND NOT \(column)lock_blocked"
    }
}
