import ArgumentParser
import SagaEngine

/// `arcadia saga templates`: what can be started, with typed inputs.
struct SagaTemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "templates", abstract: "List templates and their inputs.")

    func run() async throws {
        for template in CLIEnvironment.registry().templates {
            print("\(template.name) (\(template.kind.rawValue)): \(template.summary)")
            for input in template.inputs {
                let fallback = input.defaultValue.map { "default \($0)" } ?? "required"
                print("    --input \(input.name)=<\(input.type.rawValue)>  \(fallback)\(input.summary.isEmpty ? "" : "; \(input.summary)")")
            }
        }
    }
}
