import Foundation
import Store
import Testing

/// Units of a plan run as `lip work run KEY` processes: a worker killed in the middle of
/// an IMP search and run again ends with the same files as one never interrupted, and a
/// unit refuses to run before the units it depends on.
@Suite(.serialized)
struct WorkUnitTests {
    let cli: HostileInputTests

    init() throws {
        cli = try HostileInputTests()
        try cli.write(side: 64, "img64.png")
        _ = try cli.writeNotebook("units", """
            ```swift
            //| label: search
            var e = try Experiment(try Benchmark.named("denoising"), data: .embedded, size: 64, iterations: 3, seed: 42,
                                   image: "img64.png")
            e.searchIterations = 60
            let ticket = try e.ticket(.imp, rounds: 3)
            let evaluation = try e.evaluate(ticket, round: 3)
            print(evaluation.best)
            ```

            """)
    }

    struct Planned: Decodable {
        struct Unit: Decodable {
            struct Record: Decodable { var key: String; var kind: String; var done: Bool; var dependencies: [String] }
            var record: Record
        }
        var units: [Unit]
    }

    func plan(cache: String) throws -> Planned {
        let result = try cli.lip(["notebook", "plan", "units.swiftmd", "--profile", "smoke", "--json", "--cache", cache,
                                  "--output", "figures-\(cache)"])
        #expect(result.status == 0, "\(result.output)")
        let json = result.output[result.output.firstIndex(of: "{")!...]
        return try JSONDecoder().decode(Planned.self, from: Data(json.utf8))
    }

    /// Every file of a unit's folder, hashed (evaluation.json without its wall time).
    func contents(of key: String, cache: String) throws -> [String: String] {
        let folder = cli.path("\(cache)/shared/\(key)")
        var hashes: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            var data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))
            if name == "integrity.json" { continue }  // hashes the record, whose wall time differs
            if name == "ticket.json" || name == "evaluation.json" {
                // Wall times and the commit are provenance, not results.
                var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
                object["seconds"] = nil
                if var rounds = object["rounds"] as? [[String: Any]] {
                    for i in rounds.indices { rounds[i]["seconds"] = nil }
                    object["rounds"] = rounds
                }
                data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            hashes[name] = SHA256.hex(data)
        }
        return hashes
    }

    @Test func aKilledWorkerResumesToTheSameResultAndDependenciesComeFirst() throws {
        let planned = try plan(cache: "cache-a")
        let ticket = try #require(planned.units.first { $0.record.kind == "ticket" }?.record)
        let evaluation = try #require(planned.units.first { $0.record.kind == "evaluation" }?.record)
        #expect(evaluation.dependencies == [ticket.key])
        #expect(!ticket.done && !evaluation.done)

        // The evaluation refuses to run before its ticket search.
        let early = try cli.lip(["work", "run", evaluation.key, "--cache", "cache-a"])
        #expect(early.status != 0 && early.output.contains("run that unit first"), "\(early.output)")

        // Uninterrupted, in a second store.
        _ = try plan(cache: "cache-b")
        for key in [ticket.key, evaluation.key] {
            let run = try cli.lip(["work", "run", key, "--cache", "cache-b"])
            #expect(run.status == 0, "\(run.output)")
        }

        // Killed once round 1 is written, then run again.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HostileInputTests.lipPath)
        process.arguments = ["work", "run", ticket.key, "--cache", "cache-a"]
        process.currentDirectoryURL = URL(fileURLWithPath: cli.path(""))
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let mask = cli.path("cache-a/shared/\(ticket.key)/round-02.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: mask) && process.isRunning && Date() < deadline { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the search ended before it could be killed")
        for key in [ticket.key, evaluation.key] {
            let run = try cli.lip(["work", "run", key, "--cache", "cache-a"])
            #expect(run.status == 0, "\(run.output)")
        }
        #expect(try contents(of: ticket.key, cache: "cache-a") == contents(of: ticket.key, cache: "cache-b"))
        #expect(try contents(of: evaluation.key, cache: "cache-a") == contents(of: evaluation.key, cache: "cache-b"))
        #expect(try plan(cache: "cache-a").units.allSatisfy(\.record.done))

        // A damaged result is not served: it fails its integrity record and is computed again.
        let image = cli.path("cache-a/shared/\(evaluation.key)/restored.png")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: image))
        try handle.truncate(atOffset: 100)
        try handle.close()
        #expect(try !plan(cache: "cache-a").units.allSatisfy(\.record.done))
        let again = try cli.lip(["work", "run", evaluation.key, "--cache", "cache-a"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try contents(of: evaluation.key, cache: "cache-a") == contents(of: evaluation.key, cache: "cache-b"))

        // A unit key that is not one, and one that was never planned.
        let bad = try cli.lip(["work", "run", "ticket-xyz", "--cache", "cache-a"])
        #expect(bad.status != 0 && bad.output.contains("KEY must be"), "\(bad.output)")
        let unknown = try cli.lip(["work", "run", "ticket-0123456789abcdef", "--cache", "cache-a"])
        #expect(unknown.status != 0 && unknown.output.contains("plan first"), "\(unknown.output)")
    }

    /// Planning computes a cached value again only when it may ask for units: a value
    /// computed before any request of the result store is stored for the render (a
    /// notebook without units is not computed twice); one computed after a request (it may
    /// hold a placeholder) is not stored; a value whose computation asked for no unit is
    /// reused by the next plan, one that asked is computed again.
    @Test func planningStoresAndReusesOnlyValuesThatAskForNoUnits() throws {
        let log = cli.path("computed.log")
        func logged(_ name: String) -> String {
            """
            let line = Data("\(name)\\n".utf8)
            if let handle = FileHandle(forWritingAtPath: "\(log)") {
                handle.seekToEndOfFile(); handle.write(line); handle.closeFile()
            } else { FileManager.default.createFile(atPath: "\(log)", contents: line) }
            """
        }
        _ = try cli.writeNotebook("planned", """
            ```swift
            //| label: plain
            let plain = try cached("plain") { () -> Int in
                \(logged("plain"))
                return 42
            }
            ```

            ```swift
            //| label: search
            var e = try Experiment(try Benchmark.named("denoising"), data: .embedded, size: 64, iterations: 3, seed: 42,
                                   image: "img64.png")
            e.searchIterations = 3
            let rounds = try cached("search") { () -> Int in
                try e.manifest(of: try e.ticket(.imp, rounds: 1)).rounds.count
            }
            ```

            ```swift
            //| label: after
            let after = try cached("after") { () -> Int in
                \(logged("after"))
                return plain + rounds
            }
            print(after)
            ```

            """)
        func computed() -> [String] {
            (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }
        func plan() throws {
            let result = try cli.lip(["notebook", "plan", "planned.swiftmd", "--profile", "smoke", "--cache", "cache-p",
                                      "--output", "figures-p"])
            #expect(result.status == 0, "\(result.output)")
            // The search's value asks for a unit: computed again, so the plan still lists it.
            #expect(result.output.contains("1 units (1 ticket)"), "\(result.output)")
        }
        try plan()
        #expect(computed() == ["plain", "after"])
        let render = try cli.lip(["notebook", "run", "planned.swiftmd", "--profile", "smoke", "--cache", "cache-p",
                                  "--output", "figures-p"])
        #expect(render.status == 0, "\(render.output)")
        #expect(computed() == ["plain", "after", "after"], "the render reuses the planned plain value only")
        try plan()
        // The render computed "after" from real results without asking for a unit itself.
        #expect(computed() == ["plain", "after", "after"], "the next plan reuses both values")
    }
}
