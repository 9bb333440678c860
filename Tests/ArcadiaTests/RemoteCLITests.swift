import Foundation
import HummingbirdTesting
import SagaEngine
import Testing

/// The saga commands through a running server (`--server`, `ARCADIA_SERVER`, `ARCADIA_TOKEN`):
/// the same output as on the database, and exit codes that say what happened.
@Suite("CLI remote mode", .timeLimit(.minutes(4)))
struct RemoteCLITests {
    @Test(
        "saga start --wait, show, list, watch and the operator actions through the API print what the database mode prints",
        arguments: Backend.enabled)
    func remoteMatchesLocal(backend: Backend) async throws {
        try await ServerAPITests.withServer(backend) { client, tokens, _, _, databaseURL in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let operatorToken = ["ARCADIA_TOKEN": tokens.operatorToken]
            // start --wait follows the saga's events to its end; exit 0 because it completed.
            let started = try await ChildProcess.run(
                ["saga", "start", "test-echo", "--input", "steps=2", "--wait", "--interval-ms", "50", "--server", server], environment: operatorToken)
            #expect(started.status == 0, "\(started.stderr)")
            #expect(started.stdout.contains("step_completed") && started.stdout.contains(" completed in "), "\(started.stdout)")
            let id = try #require(started.stdout.split(separator: "\n").first?.split(separator: " ").dropFirst(2).first.map(String.init))
            // The same JSON object through the API as on the database.
            let remote = try await ChildProcess.run(["saga", "show", id, "--json", "--server", server], environment: operatorToken)
            let local = try await ChildProcess.run(["saga", "show", id, "--json", "--database", databaseURL])
            #expect(remote.status == 0 && local.status == 0, "\(remote.stderr) \(local.stderr)")
            #expect(remote.stdout == local.stdout)
            #expect(remote.stdout.contains("\"events\"") && remote.stdout.contains("\"steps\""))
            // The human form too.
            let remoteText = try await ChildProcess.run(["saga", "show", id, "--server", server], environment: operatorToken)
            let localText = try await ChildProcess.run(["saga", "show", id, "--database", databaseURL])
            #expect(remoteText.stdout == localText.stdout && remoteText.stdout.contains("events:"))
            // ARCADIA_SERVER instead of the flag; list with a filter; watch of a finished saga.
            let listed = try await ChildProcess.run(
                ["saga", "list", "--status", "completed", "--json"], environment: operatorToken.merging(["ARCADIA_SERVER": server]) { a, _ in a })
            #expect(listed.status == 0 && listed.stdout.contains(id), "\(listed.stderr)")
            let watched = try await ChildProcess.run(["saga", "watch", id, "--server", server], environment: operatorToken)
            #expect(watched.status == 0 && watched.stdout.contains("saga_completed"))
            // A saga that rolls back: --wait exits 1.
            let failing = try await ChildProcess.run(
                ["saga", "start", "test-fail", "--input", "fail_at=1", "--wait", "--interval-ms", "50", "--server", server],
                environment: operatorToken)
            #expect(failing.status == 1 && failing.stdout.contains("rolled_back"), "\(failing.stdout) \(failing.stderr)")

            // Exit codes (sysexits): 66 no such saga, 75 a state that does not allow it, 77 refused, 69 unreachable.
            let missing = try await ChildProcess.run(["saga", "show", UUID().uuidString, "--server", server], environment: operatorToken)
            #expect(missing.status == 66 && missing.stderr.contains("no saga"), "\(missing.stderr)")
            let cancelDone = try await ChildProcess.run(["saga", "cancel", id, "--server", server], environment: operatorToken)
            #expect(cancelDone.status == 75, "\(cancelDone.stderr)")
            let viewer = try await ChildProcess.run(
                ["saga", "start", "test-echo", "--server", server], environment: ["ARCADIA_TOKEN": tokens.viewer])
            #expect(viewer.status == 77 && viewer.stderr.contains("viewer token may not"), "\(viewer.stderr)")
            let revoked = try await ChildProcess.run(["saga", "list", "--server", server], environment: ["ARCADIA_TOKEN": tokens.revoked])
            #expect(revoked.status == 77 && revoked.stderr.contains("revoked") && !revoked.stderr.contains(tokens.revoked))
            let unreachable = try await ChildProcess.run(["saga", "list", "--server", "http://127.0.0.1:1"], environment: operatorToken)
            #expect(unreachable.status == 69 && unreachable.stderr.contains("127.0.0.1:1"), "\(unreachable.stderr)")
            let noToken = try await ChildProcess.run(["saga", "list", "--server", server], environment: ["ARCADIA_TOKEN": ""])
            #expect(noToken.status != 0 && noToken.stderr.contains("ARCADIA_TOKEN"))
            let both = try await ChildProcess.run(["saga", "list", "--server", server, "--database", databaseURL], environment: operatorToken)
            #expect(both.status != 0 && both.stderr.contains("not both"))
            // Bad inputs are refused before anything is sent; the same on the database.
            let badInput = try await ChildProcess.run(
                ["saga", "start", "test-echo", "--input", "steps=many", "--server", server], environment: operatorToken)
            #expect(badInput.status != 0 && badInput.stderr.contains("steps"), "\(badInput.stderr)")
        }
    }

    @Test("saga watch follows a running saga to its end and saga cancel through the API compensates it")
    func watchAndCancel() async throws {
        try await ServerAPITests.withServer(.sqlite) { client, tokens, engine, _, _ in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let environment = ["ARCADIA_TOKEN": tokens.operatorToken]
            // A saga in a durable wait of a minute.
            let (saga, _) = try await engine.start("test-sleep", inputs: ["seconds": .double(60)], options: .init())
            let id = saga.id.uuidString.lowercased()
            let watcher = try ChildProcess(["saga", "watch", id, "--interval-ms", "50", "--server", server], environment: environment)
            defer { watcher.kill() }
            try await watcher.waitForOutput(containing: "step_waiting")
            let cancelled = try await ChildProcess.run(["saga", "cancel", id, "--server", server], environment: environment)
            #expect(cancelled.status == 0 && cancelled.stdout.contains("cancelled saga \(id)"), "\(cancelled.stderr)")
            let output = try await watcher.waitForOutput(containing: "rolled_back in")
            #expect(output.contains("cancel_requested"))
            #expect(try await watcher.waitForExit() == 1)
        }
    }
}

extension RemoteCLITests {
    @Test("inventory sync, list, runs and drift through `arcadia serve` print what the database mode prints")
    func inventoryRemote() async throws {
        let serve = try await ServeProcess.start()
        defer { serve.cleanUp() }
        let (server, database) = (serve.process, serve.database)
        let remote = ["ARCADIA_TOKEN": serve.token, "ARCADIA_SERVER": serve.address]

        let synced = try await ChildProcess.run(["inventory", "sync", "--json"], environment: remote)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stdout.contains(#""status" : "succeeded""#) && synced.stdout.contains(#""trigger" : "api""#), "\(synced.stdout)")
        for arguments in [
            ["inventory", "list", "--json"], ["inventory", "list"], ["inventory", "runs", "--json"], ["drift", "--json"], ["drift"],
        ] {
            let through = try await ChildProcess.run(arguments, environment: remote)
            let direct = try await ChildProcess.run(arguments + ["--database", database])
            #expect(through.status == 0 && direct.status == 0, "\(arguments): \(through.stderr) \(direct.stderr)")
            #expect(through.stdout == direct.stdout, "\(arguments)")
            #expect(!through.stdout.isEmpty)
        }
        let refused = try await ChildProcess.run(["inventory", "sync", "--kinds", "droplet"], environment: remote)
        #expect(refused.status != 0 && refused.stderr.contains("database only"))
        let unknown = try await ChildProcess.run(["inventory", "list"], environment: remote.merging(["ARCADIA_TOKEN": "arc_bad"]) { _, new in new })
        #expect(unknown.status == 77 && unknown.stderr.contains("malformed"))
        server.kill(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
