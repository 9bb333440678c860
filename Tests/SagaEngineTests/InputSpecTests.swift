import Testing

@testable import SagaEngine

/// Typed template inputs, lists and objects included.
@Suite struct InputSpecTests {
    @Test func listsOfStringsComeAsJSONArraysOrCommaSeparatedText() {
        let tags = InputSpec("tags", .stringList, default: .array([]))
        #expect(tags.coerce(.array(["a", "b"])) == .array(["a", "b"]))
        #expect(tags.coerce(.string("a, b,,c")) == .array(["a", "b", "c"]))
        #expect(tags.coerce(.string(#"["x","y z"]"#)) == .array(["x", "y z"]))
        #expect(tags.coerce(.array(["a", 1])) == nil, "a list with a number is refused")
        #expect(tags.coerce(.string(#"["x", 2]"#)) == nil)
        #expect(tags.coerce(.int(3)) == nil)
    }

    @Test func objectsComeAsJSONObjectsOrTheirText() {
        let spec = InputSpec("spec", .object)
        #expect(spec.coerce(.object(["size": "s-1vcpu-1gb"])) == .object(["size": "s-1vcpu-1gb"]))
        #expect(spec.coerce(.string(#"{"size": "s-1vcpu-1gb"}"#)) == .object(["size": "s-1vcpu-1gb"]))
        #expect(spec.coerce(.string("[1]")) == nil)
        #expect(spec.coerce(.string("not json")) == nil)
    }

    @Test func aTemplateNamesEveryWrongInputInWords() {
        let template = SagaTemplate(
            name: "t", kind: .test, inputs: [InputSpec("tags", .stringList), InputSpec("spec", .object)], steps: ["echo"])
        #expect {
            try template.validate(["tags": .int(1), "spec": .string("nope")])
        } throws: { error in
            let problems = (error as? SagaInputError)?.problems ?? []
            return problems.count == 2 && problems.contains { $0.contains("must be a list of strings") }
                && problems.contains { $0.contains("must be a JSON object") }
        }
    }
}
