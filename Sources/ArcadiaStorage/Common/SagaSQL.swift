/// Facts about the saga tables that several statements (and both backends' migrations) share.
enum SagaSQL {
    /// The statuses a worker may claim, as an SQL list.
    static let runnableStatuses = "('pending', 'running', 'waiting', 'compensating')"

    /// The predicate of the partial index of sagas waiting to be claimed (`saga_runs_due`,
    /// migration 3 on PostgreSQL, 2 on SQLite): runnable, held by no worker, blocked by no lock key.
    /// Sagas queued behind a key are not in it (the saga releasing the key clears their
    /// `lock_blocked`), nor are sagas a worker holds (a saga started claimed never enters it), so
    /// the steady churn of running sagas leaves no dead entries for claims to wade through.
    static let duePredicate = due()

    /// The predicate of the partial index of held sagas by lease expiry (`saga_runs_leased`): only
    /// the periodic look for leases that ran out (dead workers) scans it.
    static let leasedPredicate = leased()

    /// ``duePredicate`` on a table alias; claims and due-time queries repeat it so that the
    /// planner uses the index.
    static func due(_ alias: String? = nil) -> String {
        let column = alias.map { $0 + "." } ?? ""
        return "\(column)status IN \(runnableStatuses) AND NOT \(column)lock_blocked AND \(column)lease_owner IS NULL"
    }

    /// ``leasedPredicate`` on a table alias.
    static func leased(_ alias: String? = nil) -> String {
        let column = alias.map { $0 + "." } ?? ""
        return "\(column)status IN \(runnableStatuses) AND \(column)lease_owner IS NOT NULL"
    }
}
