import Foundation
import NotebookRunner
import Testing

struct ParserTests {
    let sample = """
        ---
        title: "A test"
        params:
          n: {type: Int, smoke: 1, quick: 5, paper: 50}
          name: {type: String, default: hello}
          rate: {type: Double, default: 0.5}
        inputs:
          - data/astronaut.png
        ---

        Intro with `{swift} params.n * 2` and `{swift} name` inline.

        ````markdown
        ```swift
        not a chunk: quoted in a longer fence
        ```
        ````

        ```swift
        //| label: first
        //| caption: "The caption"
        //| echo: false
        let x = 1
        ```

        Between.

        ~~~swift
        let y = x + 1
        ~~~
        """

    @Test func frontMatterAndParameters() throws {
        let notebook = try NotebookParser.parse(sample, path: "t.swiftmd")
        #expect(notebook.title == "A test")
        #expect(notebook.inputs == ["data/astronaut.png"])
        let n = try #require(notebook.parameters.first { $0.name == "n" })
        #expect(n.kind == .int)
        #expect(n.value(profile: .quick) == "5")
        #expect(n.value(profile: .paper) == "50")
        #expect(notebook.parameters.first { $0.name == "name" }?.value(profile: .smoke) == "hello")
        #expect(notebook.parameters.first { $0.name == "rate" }?.kind == .double)
    }

    @Test func chunksOptionsAndLines() throws {
        let notebook = try NotebookParser.parse(sample, path: "t.swiftmd")
        let chunks = notebook.chunks
        #expect(chunks.count == 2)
        #expect(chunks[0].label == "first")
        #expect(chunks[0].caption == "The caption")
        #expect(chunks[0].echo == false)
        #expect(chunks[0].code == "let x = 1")
        #expect(chunks[0].firstLine == 23)  // the line of `let x = 1`
        #expect(chunks[1].label == "chunk-2")
        #expect(chunks[1].code == "let y = x + 1")
        #expect(chunks[1].firstLine == 29)
    }

    @Test func longerFenceQuotingSwiftStaysProse() throws {
        let notebook = try NotebookParser.parse(sample, path: "t.swiftmd")
        guard case .prose(let prose) = notebook.blocks[0] else {
            Issue.record("first block is not prose")
            return
        }
        #expect(prose.text.contains("not a chunk"))
        #expect(prose.inlines.map(\.code) == ["params.n * 2", "name"])
        #expect(prose.inlines.map(\.line) == [11, 11])
    }

    @Test func crlfLineEndsParseTheSame() throws {
        let crlf = sample.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try NotebookParser.parse(crlf, path: "t.swiftmd") == NotebookParser.parse(sample, path: "t.swiftmd"))
    }

    @Test func unterminatedFenceNamesItsLine() {
        let text = "Prose\n\n```swift\nlet x = 1\n"
        #expect(throws: NotebookError(path: "u.swiftmd", line: 3,
                                      message: "code fence ``` opened here is never closed; add a line ``` after the code")) {
            try NotebookParser.parse(text, path: "u.swiftmd")
        }
    }

    @Test func unknownOptionAndBadValues() {
        #expect(throws: NotebookError.self) { try NotebookParser.parse("```swift\n//| colour: red\nlet x = 1\n```\n", path: "o") }
        #expect(throws: NotebookError.self) { try NotebookParser.parse("```swift\n//| echo: maybe\n```\n", path: "o") }
        #expect(throws: NotebookError.self) {
            try NotebookParser.parse("---\nparams:\n  n: {type: Int, default: many}\n---\n", path: "p")
        }
        #expect(throws: NotebookError.self) { try NotebookParser.parse("---\ntitle: x\n", path: "f") }
        #expect(throws: NotebookError.self) { try NotebookParser.parse("---\nauthor: me\n---\n", path: "f") }
    }

    @Test func duplicateLabelsAreRejected() {
        let text = "```swift\n//| label: a\n```\n\n```swift\n//| label: a\n```\n"
        do {
            _ = try NotebookParser.parse(text, path: "d.swiftmd")
            Issue.record("duplicate labels accepted")
        } catch let error as NotebookError {
            #expect(error.line == 5)
            #expect(error.message.contains("'a'"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func unclosedInlineExpression() {
        #expect(throws: NotebookError.self) { try NotebookParser.parse("Value `{swift} x\n", path: "i") }
    }

    @Test func parameterValuesAndOverrides() throws {
        let notebook = try NotebookParser.parse(sample, path: "t.swiftmd")
        var options = RunOptions()
        options.profile = .smoke
        #expect(try NotebookRunner.parameterValues(for: notebook, options: options)["n"] == "1")
        options.overrides = ["n": "7"]
        #expect(try NotebookRunner.parameterValues(for: notebook, options: options)["n"] == "7")
        options.overrides = ["n": "seven"]
        #expect(throws: NotebookError.self) { try NotebookRunner.parameterValues(for: notebook, options: options) }
        options.overrides = ["m": "1"]
        do {
            _ = try NotebookRunner.parameterValues(for: notebook, options: options)
            Issue.record("unknown parameter accepted")
        } catch let error as NotebookError {
            #expect(error.message.contains("unknown parameter 'm'"))
            #expect(error.message.contains("n, name, rate"))
        }
        options.overrides = [:]
        options.profile = .standard  // n has values for smoke, quick and paper only, and no default
        do {
            _ = try NotebookRunner.parameterValues(for: notebook, options: options)
            Issue.record("a parameter without a value for the profile accepted")
        } catch let error as NotebookError {
            #expect(error.message.contains("'n' has no value for profile 'standard'"))
        }
        #expect(Profile(rawValue: "fast") == nil && Profile.names == "smoke, quick, standard, paper")
    }
}

struct CodeGenerationTests {
    @Test func programFramesChunksWithSourceLocations() throws {
        let notebook = try NotebookParser.parse(ParserTests().sample, path: "/tmp/t.swiftmd")
        let program = CodeGenerator.program(for: notebook, values: ["n": "5", "name": "hi \"there\"", "rate": "0.5"])
        #expect(program.contains("let params = NotebookParameters(n: 5, name: \"hi \\\"there\\\"\", rate: 0.5)"))
        #expect(program.contains("#sourceLocation(file: \"/tmp/t.swiftmd\", line: 23)\nlet x = 1\n#sourceLocation()"))
        #expect(program.contains("__notebook.inline(0, params.n * 2)"))
        #expect(program.contains("__notebook.begin(1)"))
        #expect(program.hasSuffix("__notebook.finish()\n"))
    }

    @Test func dependenciesFollowDeclaredNames() throws {
        let text = """
            ```swift
            let a = params.n
            ```

            ```swift
            let b = 2
            ```

            ```swift
            let c = a + 1
            ```

            ```swift
            print(c, params.m)
            ```
            """
        let notebook = try NotebookParser.parse(text, path: "d")
        let graph = DependencyGraph(chunks: notebook.chunks, parameterNames: ["n", "m"])
        #expect(graph.dependencies[2] == [0])
        #expect(graph.dependencies[3] == [0, 2])
        #expect(graph.parameters[3] == ["n", "m"])
        #expect(graph.parameters[1].isEmpty)
        #expect(graph.codeHash(of: 1, chunks: notebook.chunks) != graph.codeHash(of: 3, chunks: notebook.chunks))
    }
}
