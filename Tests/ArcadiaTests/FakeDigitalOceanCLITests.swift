import DigitalOcean
import Foundation
import Testing

/// `arcadia fake-do` as users run it: flags, token scopes, graceful stop, bad flags.
@Suite("fake-do CLI")
struct FakeDigitalOceanCLITests {
    @Test("fake-do serves with the scopes given by --token and stops on SIGTERM")
    func servesWithTokenScopes() async throws {
        let server = try ChildProcess(["fake-do", "--port", "0", "--zero-lag", "--seed", "7", "--token", "reader:read", "--token", "writer:write"])
        let line = try await server.waitForLine(containing: "fake-do listening on")
        let baseURL = try #require(line.split(separator: " ").last.map(String.init))
        #expect(baseURL.hasPrefix("http://127.0.0.1:"))

        func client(_ token: String, _ purpose: TokenPurpose) -> DigitalOceanClient {
            DigitalOceanClient(configuration: .init(token: APIToken(token, purpose: purpose), baseURL: baseURL, retry: .init(maxAttempts: 1)))
        }
        let created = try await client("writer", .provisioning).createDroplet(
            DropletCreateRequest(name: "cli-1", region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-24-04-x64", tags: ["cli"]))
        #expect(try await client("reader", .inventory).droplets(tagName: "cli").collect().map(\.id) == [created.droplet.id])
        let forbidden = await #expect(throws: DigitalOceanError.self) {
            try await client("reader", .provisioning).deleteDroplet(id: created.droplet.id)
        }
        #expect(forbidden?.status == 403)
        let unknown = await #expect(throws: DigitalOceanError.self) { try await client("stranger", .inventory).account() }
        #expect(unknown?.status == 401)

        server.kill(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    @Test(
        "bad fake-do flags fail with a message naming the flag",
        arguments: [
            (["fake-do", "--token", "nocolon"], "VALUE:read or VALUE:write"),
            (["fake-do", "--token", "abc:admin"], "VALUE:read or VALUE:write"),
            (["fake-do", "--port", "70000"], "--port"),
            (["fake-do", "--tls-cert", "/nonexistent.pem"], "--tls-cert and --tls-key"),
        ])
    func badFlags(arguments: [String], message: String) async throws {
        let result = try await ChildProcess.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("abc"), "a token value is never echoed")
    }
}
