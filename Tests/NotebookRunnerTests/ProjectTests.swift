import Foundation
import NotebookRunner
import NotebookRuntime
import Testing

/// List-typed parameters and `_project.yml`: shared parameters and profile options.
struct ListParameterTests {
    let source = """
        ---
        params:
          rounds: {type: "[Int]", min: 1, smoke: [1, 2], default: [4, 14]}
          rates: {type: "[Double]", default: "0.5, 1"}
          tasks: {type: "[String]", default: [denoising, sr-x4]}
          none: {type: "[Int]", default: []}
        ---

        ```swift
        let x = params.rounds.count + params.tasks.count
        ```
        """

    @Test func listsAreTextJoinedByCommasAndSwiftArrays() throws {
        let notebook = try NotebookParser.parse(source, path: "l.swiftmd")
        var options = RunOptions()
        options.profile = .quick
        let values = try NotebookRunner.parameterValues(for: notebook, options: options)
        #expect(values["rounds"] == "4,14" && values["tasks"] == "denoising,sr-x4" && values["none"] == "")
        let program = CodeGenerator.program(for: notebook, values: values)
        #expect(program.contains("let rounds: [Int]") && program.contains("rounds: [4, 14]"))
        #expect(program.contains("rates: [0.5, 1.0]") && program.contains("tasks: [\"denoising\", \"sr-x4\"]"))
        #expect(program.contains("none: []"))
    }

    @Test func overridesAreCheckedElementByElementBeforeAnyWork() throws {
        let notebook = try NotebookParser.parse(source, path: "l.swiftmd")
        var options = RunOptions()
        options.profile = .smoke
        #expect(try NotebookRunner.parameterValues(for: notebook, options: options)["rounds"] == "1,2")
        options.overrides = ["rounds": "2, 8"]
        #expect(try NotebookRunner.parameterValues(for: notebook, options: options)["rounds"] == "2,8")  // one value, one cache key
        for bad in ["2,x", "0,3", "2,,3"] {
            options.overrides = ["rounds": bad]
            do {
                _ = try NotebookRunner.parameterValues(for: notebook, options: options)
                Issue.record("--param rounds=\(bad) accepted")
            } catch let error as NotebookError {
                #expect(error.message.contains("rounds=\(bad)") && error.message.contains("at least 1"))
            }
        }
    }

    /// The fuzzer's find: a list as a mapping key trapped inside Yams.load.
    @Test func aListAsAKeyIsAnErrorNotATrap() {
        do {
            _ = try NotebookParser.parse("---\nparams:\n  n: {type: Int, default: 1, [2, 3], help: x}\n---\n", path: "k.swiftmd")
            Issue.record("accepted a list as a key")
        } catch let error as NotebookError {
            #expect(error.message.contains("must be plain text"), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func anEmptyParamsKeyDeclaresNone() throws {
        #expect(try NotebookParser.parse("---\nparams:\n---\n", path: "e.swiftmd").parameters.isEmpty)
    }

    @Test func badDeclarationsNameTheParameter() {
        let cases = [
            ("n: {type: Int, default: [1, 2]}", "has a list"),
            ("n: {type: \"[Int]\", default: [1, x]}", "'1,x'"),
            ("n: {type: \"[String]\", default: [\"a,b\"]}", "holds a comma"),
            ("n: {type: \"[Int]\", min: low, default: [1]}", "min must be a number"),
            ("n: {type: Int, fast: 3}", "'fast', which is no profile"),
            ("n: {type: Int, min: 5, max: 2, default: 3}", "min 5 is above max 2"),
        ]
        for (line, expected) in cases {
            do {
                _ = try NotebookParser.parse("---\nparams:\n  \(line)\n---\n", path: "b.swiftmd")
                Issue.record("accepted: \(line)")
            } catch let error as NotebookError {
                #expect(error.message.contains("'n'") && error.message.contains(expected), "\(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}

struct ProjectTests {
    func folder(project: String, notebook: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("project-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try project.write(to: folder.appendingPathComponent("_project.yml"), atomically: true, encoding: .utf8)
        try notebook.write(to: folder.appendingPathComponent("n.swiftmd"), atomically: true, encoding: .utf8)
        return folder
    }

    let project = """
        params:
          scale: {type: String, smoke: smoke, quick: quick, standard: standard, paper: paper}
          seeds: {type: "[Int]", min: 0, default: []}
          unused: {type: Int, default: 3}
        profiles:
          smoke: {claims: record}
        """

    /// A notebook gets the shared parameters its code reads, keeps its own declaration of
    /// a shared name, and not the ones it never reads (`params.seedsX` is not `seeds`).
    @Test func sharedParametersAreAddedWhereUsed() throws {
        let root = try folder(project: project, notebook: """
            ---
            params:
              seeds: {type: "[Int]", default: [1, 2, 3]}
            ---

            ```swift
            let s = Scale.named(params.scale); let t = params.seeds; // params.unusedX
            ```
            """)
        defer { try? FileManager.default.removeItem(at: root) }
        let notebook = try NotebookParser.parse(contentsOf: root.appendingPathComponent("n.swiftmd").path)
        #expect(notebook.parameters.map(\.name) == ["scale", "seeds"])
        #expect(notebook.parameters.first { $0.name == "seeds" }?.defaultValue == "1,2,3")
        #expect(notebook.profileOptions[.smoke]?.claims == .record)
        #expect(notebook.projectFile?.hasSuffix("_project.yml") == true)
        #expect(notebook.projectHash == SHA256.hex(fileAt: root.appendingPathComponent("_project.yml").path))
    }

    @Test func aBadProjectFileIsAClearError() throws {
        for (text, expected) in [("colour: red", "unknown key 'colour'"), ("profiles:\n  fast: {claims: record}", "'fast' is no profile"),
                                 ("profiles:\n  smoke: {claims: maybe}", "one of decide, record")] {
            let root = try folder(project: text, notebook: "```swift\nlet a = 1\n```\n")
            defer { try? FileManager.default.removeItem(at: root) }
            do {
                _ = try NotebookParser.parse(contentsOf: root.appendingPathComponent("n.swiftmd").path)
                Issue.record("accepted: \(text)")
            } catch let error as NotebookError {
                #expect(error.path.hasSuffix("_project.yml") && error.message.contains(expected), "\(error)")
            }
        }
    }
}

struct RecordedClaimsTests {
    /// `claims: record`: the verdict becomes not checked, the numbers stay in the text.
    @Test func aRecordedClaimKeepsItsNumbersAndIsNotChecked() {
        let held = ClaimRecord(chunk: 0, statement: "A beats B", comparison: "A − B: +1.00 dB [+0.50, +1.50], n 3",
                               verdict: .held)
        let recorded = NotebookRunner.recorded(held, profile: .smoke)
        #expect(recorded.verdict == .notChecked && !recorded.held)
        #expect(recorded.comparison.contains("smoke") && recorded.comparison.contains("+1.00 dB"))
        let skipped = ClaimRecord(chunk: 0, statement: "C", comparison: "not reached", verdict: .notChecked)
        #expect(NotebookRunner.recorded(skipped, profile: .smoke).comparison == "not reached")
    }
}
