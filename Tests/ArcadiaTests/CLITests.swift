import Foundation
import SagaEngine
import Testing

/// The `arcadia` binary: exit codes, JSON output and bad input.
@Suite("CLI")
struct CLITests {
    private func temporaryDatabase() throws -> (url: String, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("a.sqlite").path
        return ("sqlite:" + path, path)
    }

    @Test("saga run --json prints one object and exits 0 only when completed")
    func runJSON() async throws {
        let db = try temporaryDatabase()
        let ok = try await ChildProcess.run(["saga", "run", "test-echo", "--input", "steps=3", "--database", db.url, "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(ok.stdout.utf8))
        #expect(object["status"] == "completed")
        #expect(object["error"] == nil || object["error"] == .null)
        #expect(object["context"] == ["echoed_at_step_0": "hello", "echoed_at_step_1": "hello", "echoed_at_step_2": "hello"])
        guard case .array(let steps)? = object["steps"] else { Issue.record("no steps"); return }
        #expect(steps.count == 3)
        for step in steps {
            guard case .object(let fields) = step else { continue }
            #expect(fields["status"] == "completed")
            #expect(fields["attempts"] == 1)
            #expect(fields["name"] == "echo")
            #expect(fields["index"] != nil)
        }
        let id = try #require(object["id"]?.stringValue)

        let failed = try await ChildProcess.run(["saga", "run", "test-fail", "--input", "fail_at=0", "--input", "steps=1", "--database", db.url])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("rolled_back"))

        let shown = try await ChildProcess.run(["saga", "show", id, "--database", db.url, "--json"])
        #expect(shown.status == 0)
        #expect(try JSONDecoder().decode([String: JSONValue].self, from: Data(shown.stdout.utf8))["id"] == .string(id))

        let listed = try await ChildProcess.run(["saga", "list", "--status", "rolled_back", "--database", db.url])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("test-fail"))
        #expect(!listed.stdout.contains("test-echo"))
    }

    @Test("saga start enqueues; a worker started later runs it; idempotency key returns the same saga")
    func startThenWorker() async throws {
        let db = try temporaryDatabase()
        let first = try await ChildProcess.run(
            ["saga", "start", "test-echo", "--idempotency-key", "k1", "--database", db.url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try await ChildProcess.run(
            ["saga", "start", "test-echo", "--idempotency-key", "k1", "--database", db.url, "--json"])
        let a = try JSONDecoder().decode([String: JSONValue].self, from: Data(first.stdout.utf8))
        let b = try JSONDecoder().decode([String: JSONValue].self, from: Data(again.stdout.utf8))
        #expect(a["id"] == b["id"])
        #expect(a["status"] == "pending")
        let worker = try ChildProcess(["worker", "--database", db.url, "--poll-seconds", "0.1"])
        try await worker.waitForLine(containing: "saga finished")
        worker.kill(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        let shown = try await ChildProcess.run(["saga", "show", a["id"]!.stringValue!, "--database", db.url, "--json"])
        #expect(try JSONDecoder().decode([String: JSONValue].self, from: Data(shown.stdout.utf8))["status"] == "completed")
    }

    @Test(
        "bad input: a clear error, a non-zero exit, nothing written",
        arguments: [
            (["saga", "run", "no-such-template"], "unknown template 'no-such-template'"),
            (["saga", "start", "test-echo", "--input", "steps=abc"], "input 'steps' must be an int"),
            (["saga", "start", "test-fail"], "missing required input 'fail_at'"),
            (["saga", "start", "test-echo", "--input", "colour=red"], "unknown input 'colour'"),
            (["saga", "start", "test-echo", "--input", "steps"], "--input expects key=value"),
            (["saga", "list", "--status", "sideways"], "unknown status 'sideways'"),
            (["saga", "show", "not-a-uuid"], "is not a saga id"),
            (["worker", "--concurrency", "0"], "--concurrency must be between 1 and 1024"),
        ])
    func badInput(arguments: [String], message: String) async throws {
        let db = try temporaryDatabase()
        let result = try await ChildProcess.run(arguments + ["--database", db.url])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr was: \(result.stderr)")
        // Validation happens before the database is touched.
        #expect(!FileManager.default.fileExists(atPath: db.path))
    }

    @Test("malformed and unreachable databases fail fast with a clear error and no password in it")
    func badDatabases() async throws {
        let malformed = try await ChildProcess.run(["saga", "list", "--database", "mysql://x"])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("must start with sqlite: or postgres://"))

        let noDatabase = try await ChildProcess.run(["saga", "list", "--database", "postgres://u:hunter2@127.0.0.1:5432"])
        #expect(noDatabase.status != 0)
        #expect(noDatabase.stderr.contains("names no database"))
        #expect(!noDatabase.stderr.contains("hunter2"))

        let started = Date()
        let unreachable = try await ChildProcess.run(["saga", "list", "--database", "postgres://u:hunter2@127.0.0.1:1/arcadia?sslmode=disable"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("127.0.0.1:1"), "stderr was: \(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("hunter2"))
        #expect(Date().timeIntervalSince(started) < 15)

        let missingDirectory = try await ChildProcess.run(["saga", "list", "--database", "sqlite:/nonexistent/dir/a.sqlite"])
        #expect(missingDirectory.status != 0)
        #expect(missingDirectory.stderr.contains("does not exist"))
    }

    @Test("saga show of a saga waiting for a lock key names the saga holding it")
    func showBlocked() async throws {
        let db = try temporaryDatabase()
        let holder = try await ChildProcess.run(
            ["saga", "start", "test-sleep", "--input", "seconds=3600", "--lock-key", "droplet:9", "--database", db.url, "--json"])
        #expect(holder.status == 0, "\(holder.stderr)")
        let waiter = try await ChildProcess.run(["saga", "start", "test-echo", "--lock-key", "droplet:9", "--database", db.url, "--json"])
        let holderID = try #require(try JSONDecoder().decode([String: JSONValue].self, from: Data(holder.stdout.utf8))["id"]?.stringValue)
        let waiterID = try #require(try JSONDecoder().decode([String: JSONValue].self, from: Data(waiter.stdout.utf8))["id"]?.stringValue)
        let json = try await ChildProcess.run(["saga", "show", waiterID, "--database", db.url, "--json"])
        let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.stdout.utf8))
        guard case .array(let blockers)? = object["blocked_by"], case .object(let blocker)? = blockers.first else {
            Issue.record("no blocked_by in \(json.stdout)")
            return
        }
        #expect(blockers.count == 1)
        #expect(blocker["saga_id"]?.stringValue == holderID)
        #expect(blocker["key"] == "droplet:9")
        #expect(blocker["template"] == "test-sleep")
        let text = try await ChildProcess.run(["saga", "show", waiterID, "--database", db.url])
        #expect(text.stdout.contains("waits for droplet:9: held by saga \(holderID) (test-sleep, pending)"), "\(text.stdout)")
    }

    @Test("bench engine prints its figures as JSON, on SQLite and (with worker processes) on PostgreSQL")
    func benchSmoke() async throws {
        let sqlite = try await ChildProcess.run(["bench", "engine", "--sagas", "40", "--steps", "2", "--concurrency", "4", "--json"])
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let figures = try JSONDecoder().decode([String: JSONValue].self, from: Data(sqlite.stdout.utf8))
        #expect(figures["completed"] == 40)
        for key in ["steps_per_s", "statements_per_step", "empty_claims_per_saga", "p50_ms", "commits_per_step"] {
            #expect(figures[key]?.doubleValue != nil, "\(key) missing")
        }
        guard Backend.enabled.contains(.postgres) else { return }
        let (url, cleanup) = try TestDatabase.makeURL(.postgres)
        let postgres = try await ChildProcess.run(
            ["bench", "engine", "--database", url, "--sagas", "60", "--steps", "2", "--concurrency", "4", "--workers", "2", "--json"])
        await cleanup()
        #expect(postgres.status == 0, "\(postgres.stderr)")
        let multi = try JSONDecoder().decode([String: JSONValue].self, from: Data(postgres.stdout.utf8))
        #expect(multi["completed"] == 60)
        #expect(multi["workers"] == 2)
        for key in ["steps_per_s", "one_process_steps_per_s", "vs_one_process", "statements_per_step", "empty_claims_per_saga"] {
            #expect(multi[key]?.doubleValue != nil, "\(key) missing")
        }
    }

    @Test(".env fills in ARCADIA_* settings the environment does not set; the environment wins")
    func dotEnv() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fromFile = directory.appendingPathComponent("from-file.sqlite").path
        let envFile = directory.appendingPathComponent(".env").path
        try """
        # settings for this checkout
        export ARCADIA_DATABASE_URL="sqlite:\(fromFile)"
        ARCADIA_LOG_LEVEL=error # quiet
        """.write(toFile: envFile, atomically: true, encoding: .utf8)
        let run = try await ChildProcess.run(["saga", "run", "test-echo", "--input", "steps=1"], environment: ["ARCADIA_ENV_FILE": envFile])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: fromFile))
        let winner = directory.appendingPathComponent("from-environment.sqlite").path
        let overridden = try await ChildProcess.run(
            ["saga", "run", "test-echo", "--input", "steps=1"],
            environment: ["ARCADIA_ENV_FILE": envFile, "ARCADIA_DATABASE_URL": "sqlite:\(winner)"])
        #expect(overridden.status == 0 && FileManager.default.fileExists(atPath: winner))
    }
}
