/// The PostgreSQL schema, as versioned migrations.
enum PostgresMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "saga engine tables",
            statements: [
                "CREATE SEQUENCE saga_lock_seq",
                """
                CREATE TABLE saga_runs (
                    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id uuid PRIMARY KEY,
                    kind text NOT NULL,
                    template text NOT NULL,
                    step_names text[] NOT NULL,
                    inputs jsonb NOT NULL,
                    context jsonb NOT NULL,
                    status text NOT NULL,
                    current_step integer NOT NULL DEFAULT 0,
                    cancel_requested boolean NOT NULL DEFAULT false,
                    error text,
                    deployment_id text,
                    tenant_id text,
                    triggered_by text,
                    idempotency_key text UNIQUE,
                    lock_keys text[] NOT NULL DEFAULT '{}',
                    hold_on_failure boolean NOT NULL DEFAULT false,
                    run_at timestamptz NOT NULL,
                    wait_kind text,
                    lease_owner text,
                    fencing_token bigint NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    finished_at timestamptz
                ) WITH (fillfactor = 70)
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
                    saga_id uuid NOT NULL REFERENCES saga_runs (id) ON DELETE CASCADE,
                    step_idx integer NOT NULL,
                    step_name text NOT NULL,
                    status text NOT NULL,
                    output jsonb,
                    error text,
                    attempts integer NOT NULL DEFAULT 0,
                    polls integer NOT NULL DEFAULT 0,
                    compensation_attempts integer NOT NULL DEFAULT 0,
                    started_at timestamptz,
                    finished_at timestamptz,
                    compensated_at timestamptz,
                    PRIMARY KEY (saga_id, step_idx)
                ) WITH (fillfactor = 80)
                """,
                """
                CREATE TABLE saga_events (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    saga_id uuid NOT NULL REFERENCES saga_runs (id) ON DELETE CASCADE,
                    at timestamptz NOT NULL,
                    kind text NOT NULL,
                    step_idx integer,
                    detail text
                )
                """,
                "CREATE INDEX saga_events_saga ON saga_events (saga_id, id)",
                // A saga holds its keys from start until terminal; lower lock_seq goes first.
                """
                CREATE TABLE saga_lock_keys (
                    key text NOT NULL,
                    lock_seq bigint NOT NULL,
                    saga_id uuid NOT NULL,
                    PRIMARY KEY (key, lock_seq)
                )
                """,
                "CREATE INDEX saga_lock_keys_saga ON saga_lock_keys (saga_id)",
            ]),
        // Step rows and events are only ever written by statements that join the fenced saga row
        // they belong to, and sagas are never deleted; the foreign-key triggers cost a lookup and a
        // row lock on every step commit for nothing.
        Migration(
            version: 2, name: "no foreign-key triggers on step results and events",
            statements: [
                "ALTER TABLE saga_step_results DROP CONSTRAINT IF EXISTS saga_step_results_saga_id_fkey",
                "ALTER TABLE saga_events DROP CONSTRAINT IF EXISTS saga_events_saga_id_fkey",
            ]),
        // Claims scan only sagas nobody holds and no lock key blocks (sagas queued behind a key are
        // woken by the saga that releases it); held sagas are found by lease expiry in an index of
        // their own when a worker dies; a lease-owner index lets starters count a worker's busy
        // slots; the worker registry lets them deliver a saga to a worker with a free slot.
        Migration(
            version: 3, name: "lock-blocked sagas out of the claim index; worker registry",
            statements: [
                "ALTER TABLE saga_runs ADD COLUMN lock_blocked boolean NOT NULL DEFAULT false",
                """
                UPDATE saga_runs q SET lock_blocked = true
                WHERE q.status IN \(SagaSQL.runnableStatuses) AND q.lock_keys <> '{}' AND EXISTS (
                    SELECT 1 FROM saga_lock_keys mine
                    JOIN saga_lock_keys other ON other.key = mine.key AND other.lock_seq < mine.lock_seq
                    WHERE mine.saga_id = q.id)
                """,
                "DROP INDEX saga_runs_runnable",
                "CREATE INDEX saga_runs_due ON saga_runs (run_at, seq) WHERE \(SagaSQL.duePredicate)",
                "CREATE INDEX saga_runs_leased ON saga_runs (run_at) WHERE \(SagaSQL.leasedPredicate)",
                "CREATE INDEX saga_runs_lease_owner ON saga_runs (lease_owner) WHERE lease_owner IS NOT NULL",
                """
                CREATE TABLE saga_workers (
                    id text PRIMARY KEY,
                    slots integer NOT NULL,
                    accepting boolean NOT NULL,
                    started_at timestamptz NOT NULL,
                    last_seen timestamptz NOT NULL
                )
                """,
            ]),
        // The inventory and the desired state the cloud steps write (the inventory sync extends them).
        Migration(
            version: 4, name: "cloud_resources and cloud_provisioned",
            statements: [
                """
                CREATE TABLE cloud_resources (
                    id bigserial PRIMARY KEY,
                    provider text NOT NULL,
                    kind text NOT NULL,
                    provider_id text NOT NULL,
                    name text NOT NULL,
                    region text,
                    size_slug text,
                    status text,
                    tags text[] NOT NULL DEFAULT '{}',
                    attributes jsonb NOT NULL DEFAULT '{}',
                    managed boolean NOT NULL DEFAULT false,
                    creating_saga_id uuid,
                    deployment_id text,
                    tenant_id text,
                    first_seen_at timestamptz NOT NULL,
                    last_seen_at timestamptz NOT NULL,
                    deleted_at timestamptz,
                    UNIQUE (provider, kind, provider_id)
                )
                """,
                "CREATE INDEX cloud_resources_deployment ON cloud_resources (deployment_id) WHERE deployment_id IS NOT NULL",
                """
                CREATE TABLE cloud_provisioned (
                    provider text NOT NULL,
                    kind text NOT NULL,
                    provider_id text NOT NULL,
                    spec jsonb NOT NULL,
                    spec_version integer NOT NULL,
                    saga_id uuid NOT NULL,
                    deployment_id text,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    PRIMARY KEY (provider, kind, provider_id)
                )
                """,
                "CREATE INDEX cloud_provisioned_deployment ON cloud_provisioned (deployment_id) WHERE deployment_id IS NOT NULL",
            ]),
        // Inventory sync: prices and missed syncs on the rows, presence intervals, sync runs.
        Migration(
            version: 5, name: "inventory sync",
            statements: [
                "ALTER TABLE cloud_resources ADD COLUMN hourly_price numeric",
                "ALTER TABLE cloud_resources ADD COLUMN missed_syncs integer NOT NULL DEFAULT 0",
                """
                CREATE TABLE cloud_presence (
                    id bigserial PRIMARY KEY,
                    provider text NOT NULL,
                    kind text NOT NULL,
                    provider_id text NOT NULL,
                    started_at timestamptz NOT NULL,
                    ended_at timestamptz
                )
                """,
                "CREATE UNIQUE INDEX cloud_presence_open ON cloud_presence (provider, kind, provider_id) WHERE ended_at IS NULL",
                "CREATE INDEX cloud_presence_resource ON cloud_presence (provider, kind, provider_id, started_at)",
                """
                CREATE TABLE sync_runs (
                    id uuid PRIMARY KEY,
                    trigger text NOT NULL,
                    holder text NOT NULL,
                    status text NOT NULL,
                    started_at timestamptz NOT NULL,
                    finished_at timestamptz,
                    lease_expires_at timestamptz NOT NULL,
                    kinds jsonb NOT NULL DEFAULT '{}',
                    requests integer NOT NULL DEFAULT 0,
                    errors jsonb NOT NULL DEFAULT '[]'
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
            version: 6, name: "api_tokens",
            statements: [
                """
                CREATE TABLE api_tokens (
                    id uuid PRIMARY KEY,
                    secret_hash text NOT NULL UNIQUE,
                    prefix text NOT NULL,
                    name text NOT NULL,
                    role text NOT NULL,
                    tenant_id text,
                    created_at timestamptz NOT NULL,
                    last_used_at timestamptz,
                    revoked_at timestamptz
                )
                """
            ]),
        // Tenant billing: tenants, deployments, versioned rate cards, invoices (lines as JSON,
        // money as exact decimal text) and the counter that numbers finalized invoices.
        Migration(
            version: 7, name: "billing",
            statements: [
                """
                CREATE TABLE tenants (
                    id text PRIMARY KEY,
                    name text NOT NULL,
                    billing_email text NOT NULL,
                    status text NOT NULL,
                    currency text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE deployments (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL REFERENCES tenants (id),
                    name text NOT NULL,
                    region text NOT NULL,
                    plan text NOT NULL,
                    status text NOT NULL,
                    created_at timestamptz NOT NULL,
                    ended_at timestamptz
                )
                """,
                "CREATE INDEX deployments_by_tenant ON deployments (tenant_id)",
                """
                CREATE TABLE rate_cards (
                    id uuid PRIMARY KEY,
                    name text NOT NULL UNIQUE,
                    effective_from timestamptz NOT NULL UNIQUE,
                    body text NOT NULL
                )
                """,
                """
                CREATE TABLE invoices (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL REFERENCES tenants (id),
                    period text NOT NULL,
                    status text NOT NULL,
                    number integer UNIQUE,
                    currency text NOT NULL,
                    total numeric NOT NULL,
                    generated_at timestamptz NOT NULL,
                    finalized_at timestamptz,
                    lines text NOT NULL,
                    UNIQUE (tenant_id, period)
                )
                """,
                // A finalized invoice never changes, whatever writes to the database.
                """
                CREATE FUNCTION arcadia_invoice_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.status = 'finalized' THEN
                        RAISE EXCEPTION 'a finalized invoice never changes';
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER invoices_finalized_immutable BEFORE UPDATE OR DELETE ON invoices
                FOR EACH ROW EXECUTE FUNCTION arcadia_invoice_immutable()
                """,
                "CREATE TABLE billing_counters (name text PRIMARY KEY, value integer NOT NULL)",
                "INSERT INTO billing_counters (name, value) VALUES ('invoice_number', 0)",
            ]),
        // The dashboard's browser sessions (hummingbird-auth's session storage), kept under the
        // SHA-256 of the cookie's value.
        Migration(
            version: 8, name: "web_sessions",
            statements: [
                """
                CREATE TABLE web_sessions (
                    key_hash text PRIMARY KEY,
                    value text NOT NULL,
                    created_at timestamptz NOT NULL,
                    expires_at timestamptz
                )
                """,
                "CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at)",
            ]),
        // Rate cards are scheduled per currency: two currencies' cards may start at one instant.
        Migration(
            version: 9, name: "rate cards unique per currency",
            statements: [
                "ALTER TABLE rate_cards ADD COLUMN currency text",
                "UPDATE rate_cards SET currency = coalesce(body::jsonb ->> 'currency', 'USD')",
                "ALTER TABLE rate_cards ALTER COLUMN currency SET NOT NULL",
                "ALTER TABLE rate_cards DROP CONSTRAINT rate_cards_effective_from_key",
                "ALTER TABLE rate_cards ADD CONSTRAINT rate_cards_currency_effective_from_key UNIQUE (currency, effective_from)",
            ]),
    ]
}
