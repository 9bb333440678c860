/// The SQLite schema, as versioned migrations. Times are Unix seconds (REAL), ids are text UUIDs,
/// JSON is text.
enum SQLiteMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "saga engine tables",
            statements: [
                """
                CREATE TABLE saga_runs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    template TEXT NOT NULL,
                    step_names TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    context TEXT NOT NULL,
                    status TEXT NOT NULL,
                    current_step INTEGER NOT NULL DEFAULT 0,
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    deployment_id TEXT,
                    tenant_id TEXT,
                    triggered_by TEXT,
                    idempotency_key TEXT UNIQUE,
                    lock_keys TEXT NOT NULL DEFAULT '[]',
                    hold_on_failure INTEGER NOT NULL DEFAULT 0,
                    run_at REAL NOT NULL,
                    wait_kind TEXT,
                    lease_owner TEXT,
                    fencing_token INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    finished_at REAL
                )
                """,
                // Only non-terminal sagas are in this index: claims and next-run-at never see the rest.
                """
                CREATE INDEX saga_runs_runnable ON saga_runs (run_at, seq)
                WHERE status IN ('pending', 'running', 'waiting', 'compensating')
                """,
                "CREATE INDEX saga_runs_created ON saga_runs (created_at)",
                "CREATE INDEX saga_runs_status ON saga_runs (status, created_at)",
                """
                CREATE TABLE saga_step_results (
                    saga_id TEXT NOT NULL,
                    step_idx INTEGER NOT NULL,
                    step_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    output TEXT,
                    error TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    polls INTEGER NOT NULL DEFAULT 0,
                    compensation_attempts INTEGER NOT NULL DEFAULT 0,
                    started_at REAL,
                    finished_at REAL,
                    compensated_at REAL,
                    PRIMARY KEY (saga_id, step_idx)
                )
                """,
                """
                CREATE TABLE saga_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    saga_id TEXT NOT NULL,
                    at REAL NOT NULL,
                    kind TEXT NOT NULL,
                    step_idx INTEGER,
                    detail TEXT
                )
                """,
                "CREATE INDEX saga_events_saga ON saga_events (saga_id, id)",
                // A saga holds its keys from start until terminal; lower lock_seq goes first.
                """
                CREATE TABLE saga_lock_keys (
                    key TEXT NOT NULL,
                    lock_seq INTEGER NOT NULL,
                    saga_id TEXT NOT NULL,
                    PRIMARY KEY (key, lock_seq)
                )
                """,
                "CREATE INDEX saga_lock_keys_saga ON saga_lock_keys (saga_id)",
            ]),
        // Claims scan only sagas nobody holds and no lock key blocks (sagas queued behind a key are
        // woken by the saga that releases it); held sagas are found by lease expiry in an index of
        // their own when a worker dies.
        Migration(
            version: 2, name: "lock-blocked sagas out of the claim index",
            statements: [
                "ALTER TABLE saga_runs ADD COLUMN lock_blocked INTEGER NOT NULL DEFAULT 0",
                """
                UPDATE saga_runs SET lock_blocked = 1
                WHERE status IN \(SagaSQL.runnableStatuses) AND lock_keys <> '[]' AND EXISTS (
                    SELECT 1 FROM saga_lock_keys mine
                    JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                    WHERE mine.saga_id = saga_runs.id)
                """,
                "DROP INDEX saga_runs_runnable",
                "CREATE INDEX saga_runs_due ON saga_runs (run_at, seq) WHERE \(SagaSQL.duePredicate)",
                "CREATE INDEX saga_runs_leased ON saga_runs (run_at) WHERE \(SagaSQL.leasedPredicate)",
                "CREATE INDEX saga_runs_lease_owner ON saga_runs (lease_owner) WHERE lease_owner IS NOT NULL",
            ]),
        // The inventory and the desired state the cloud steps write (the inventory sync extends them).
        Migration(
            version: 3, name: "cloud_resources and cloud_provisioned",
            statements: [
                """
                CREATE TABLE cloud_resources (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    provider TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    provider_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    region TEXT,
                    size_slug TEXT,
                    status TEXT,
                    tags TEXT NOT NULL DEFAULT '[]',
                    attributes TEXT NOT NULL DEFAULT '{}',
                    managed INTEGER NOT NULL DEFAULT 0,
                    creating_saga_id TEXT,
                    deployment_id TEXT,
                    tenant_id TEXT,
                    first_seen_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL,
                    deleted_at REAL,
                    UNIQUE (provider, kind, provider_id)
                )
                """,
                "CREATE INDEX cloud_resources_deployment ON cloud_resources (deployment_id) WHERE deployment_id IS NOT NULL",
                """
                CREATE TABLE cloud_provisioned (
                    provider TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    provider_id TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    spec_version INTEGER NOT NULL,
                    saga_id TEXT NOT NULL,
                    deployment_id TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (provider, kind, provider_id)
                )
                """,
                "CREATE INDEX cloud_provisioned_deployment ON cloud_provisioned (deployment_id) WHERE deployment_id IS NOT NULL",
            ]),
        // Inventory sync: prices and missed syncs on the rows, presence intervals, sync runs.
        Migration(
            version: 4, name: "inventory sync",
            statements: [
                "ALTER TABLE cloud_resources ADD COLUMN hourly_price TEXT",
                "ALTER TABLE cloud_resources ADD COLUMN missed_syncs INTEGER NOT NULL DEFAULT 0",
                """
                CREATE TABLE cloud_presence (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    provider TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    provider_id TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL
                )
                """,
                "CREATE UNIQUE INDEX cloud_presence_open ON cloud_presence (provider, kind, provider_id) WHERE ended_at IS NULL",
                "CREATE INDEX cloud_presence_resource ON cloud_presence (provider, kind, provider_id, started_at)",
                """
                CREATE TABLE sync_runs (
                    id TEXT PRIMARY KEY,
                    trigger TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    lease_expires_at REAL NOT NULL,
                    kinds TEXT NOT NULL DEFAULT '{}',
                    requests INTEGER NOT NULL DEFAULT 0,
                    errors TEXT NOT NULL DEFAULT '[]'
                )
                """,
                "CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (status) WHERE status = 'running'",
                "CREATE INDEX sync_runs_started ON sync_runs (started_at)",
                // What the inventory already held exists from when it was first seen.
                """
                INSERT INTO cloud_presence (provider, kind, provider_id, started_at, ended_at)
                SELECT provider, kind, provider_id, first_seen_at, deleted_at FROM cloud_resources
                """,
            ]),
        // API tokens (hashes only) for the server and the CLI's remote mode.
        Migration(
            version: 5, name: "api_tokens",
            statements: [
                """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY,
                    secret_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    tenant_id TEXT,
                    created_at REAL NOT NULL,
                    last_used_at REAL,
                    revoked_at REAL
                )
                """
            ]),
        // Tenant billing: tenants, deployments, versioned rate cards, invoices (lines as JSON,
        // money as exact decimal text) and the counter that numbers finalized invoices.
        Migration(
            version: 6, name: "billing",
            statements: [
                """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    billing_email TEXT NOT NULL,
                    status TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    created_at REAL NOT NULL
                )
                """,
                """
                CREATE TABLE deployments (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants (id),
                    name TEXT NOT NULL,
                    region TEXT NOT NULL,
                    plan TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    ended_at REAL
                )
                """,
                "CREATE INDEX deployments_by_tenant ON deployments (tenant_id)",
                """
                CREATE TABLE rate_cards (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    effective_from REAL NOT NULL UNIQUE,
                    body TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE invoices (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants (id),
                    period TEXT NOT NULL,
                    status TEXT NOT NULL,
                    number INTEGER UNIQUE,
                    currency TEXT NOT NULL,
                    total TEXT NOT NULL,
                    generated_at REAL NOT NULL,
                    finalized_at REAL,
                    lines TEXT NOT NULL,
                    UNIQUE (tenant_id, period)
                )
                """,
                // A finalized invoice never changes, whatever writes to the database.
                """
                CREATE TRIGGER invoices_finalized_no_update BEFORE UPDATE ON invoices WHEN OLD.status = 'finalized'
                BEGIN SELECT RAISE(ABORT, 'a finalized invoice never changes'); END
                """,
                """
                CREATE TRIGGER invoices_finalized_no_delete BEFORE DELETE ON invoices WHEN OLD.status = 'finalized'
                BEGIN SELECT RAISE(ABORT, 'a finalized invoice never changes'); END
                """,
                "CREATE TABLE billing_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
                "INSERT INTO billing_counters (name, value) VALUES ('invoice_number', 0)",
            ]),
        // The dashboard's browser sessions (hummingbird-auth's session storage), kept under the
        // SHA-256 of the cookie's value.
        Migration(
            version: 7, name: "web_sessions",
            statements: [
                """
                CREATE TABLE web_sessions (
                    key_hash TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL
                )
                """,
                "CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at)",
            ]),
        // Rate cards are scheduled per currency: two currencies' cards may start at one instant.
        Migration(
            version: 8, name: "rate cards unique per currency",
            statements: [
                """
                CREATE TABLE rate_cards_by_currency (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    currency TEXT NOT NULL,
                    effective_from REAL NOT NULL,
                    body TEXT NOT NULL,
                    UNIQUE (currency, effective_from)
                )
                """,
                """
                INSERT INTO rate_cards_by_currency (id, name, currency, effective_from, body)
                SELECT id, name, coalesce(json_extract(body, '$.currency'), 'USD'), effective_from, body FROM rate_cards
                """,
                "DROP TABLE rate_cards",
                "ALTER TABLE rate_cards_by_currency RENAME TO rate_cards",
            ]),
    ]
}
