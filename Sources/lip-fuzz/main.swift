// lip-fuzz: a seeded mutation fuzzer for the parsers that read untrusted files: PNG
// (libpng through the shim), safetensors, and `.swiftmd` notebooks with `_project.yml`. Each target must
// return a value or throw for every input; a trap or a crash signal is a finding, and
// the input that caused it is written to the output folder before the process dies.
//
//   lip-fuzz png|safetensors|swiftmd [--seconds 60] [--seed 1] [--out .build/fuzz]
//
// Deterministic for a seed: iteration i of a run always tries the same input. A crash
// is reproduced with `lip-fuzz TARGET --replay FILE`. (libFuzzer via `-sanitize=fuzzer`
// would add coverage guidance, but needs the whole library built instrumented; this loop
// runs on the release build, in CI, in seconds.)
import CSupport
import Foundation
import ImageIO
import Networks
import NotebookRunner
import Store

var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lip-fuzz: \(message)\n".utf8))
    exit(2)
}
guard let target = arguments.first, ["png", "safetensors", "swiftmd"].contains(target) else {
    fail("usage: lip-fuzz png|safetensors|swiftmd [--seconds S] [--seed N] [--out DIR] [--replay FILE]")
}
guard let seconds = Double(option("--seconds") ?? "60"), seconds > 0 else { fail("--seconds must be a positive number") }
guard let seed = UInt64(option("--seed") ?? "1") else { fail("--seed must be a whole number") }
let outFolder = option("--out") ?? ".build/fuzz"
try? FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: true)
let scratch = (outFolder as NSString).appendingPathComponent("input-\(target)-\(getpid())")

/// SplitMix64: small, seeded, and enough for choosing mutations.
struct Mixer {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

// MARK: Seeds

func pngSeeds() -> [[UInt8]] {
    var seeds: [[UInt8]] = []
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tests/ImageIOTests/Fixtures")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? [] where name.hasSuffix(".png") {
        if let data = FileManager.default.contents(atPath: fixtures.appendingPathComponent(name).path) { seeds.append([UInt8](data)) }
    }
    for (channels, side) in [(1, 3), (3, 5), (3, 17), (1, 32)] {
        let image = Image(channels: channels, height: side, width: side + 1,
                          pixels: (0..<(channels * side * (side + 1))).map { Float($0 % 7) / 6 })
        let path = scratch + "-seed.png"
        try? PNG.write(image, to: path)
        if let data = FileManager.default.contents(atPath: path) { seeds.append([UInt8](data)) }
        unlink(path)
    }
    return seeds
}

func safetensorsSeeds() -> [[UInt8]] {
    let small = SafeTensors(entries: [.init(name: "a.weight", shape: [2, 3], values: .float32([1, 2, 3, 4, 5, 6])),
                                      .init(name: "a.bias", shape: [2], values: .float32([0.5, -1])),
                                      .init(name: "steps", shape: [1], values: .int64([7]))],
                            metadata: ["format": "lip-ticket-mask/1", "round": "3"])
    let empty = SafeTensors(entries: [], metadata: [:])
    let scalar = SafeTensors(entries: [.init(name: "x", shape: [], values: .float32([1]))], metadata: ["k": "v"])
    return [small, empty, scalar].map { [UInt8]($0.encoded()) }
}

func swiftmdSeeds() -> [[UInt8]] {
    var seeds: [[UInt8]] = []
    let notebooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../notebooks")
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: notebooks.path)) ?? []).sorted()
    where name.hasSuffix(".swiftmd") || name == NotebookProject.fileName {
        if let data = FileManager.default.contents(atPath: notebooks.appendingPathComponent(name).path) { seeds.append([UInt8](data)) }
    }
    seeds.append(Array("""
        ---
        title: T
        params:
          n: {type: Int, smoke: 1, quick: 2}
          s: {type: String, default: "a"}
        inputs: [x.png]
        ---
        Text `{swift} params.n` and @fig-a.

        ```swift
        //| label: fig-a
        //| caption: "A"
        //| cache: false
        print(1)
        ```
        """.utf8))
    return seeds
}

// MARK: Mutation

let interesting: [UInt8] = [0, 1, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x5b, 0x7b]
let tokens: [String] = ["---\n", "```swift\n", "```\n", "//| label: ", "//| cache: ", "{swift} ", "@fig-", "@tbl-",
                        "params:\n", "  x: {type: Double, default: 1e400}\n", ":::", "\n", "\"", "é", "\u{0}", "$$", "`"]

func mutate(_ input: [UInt8], corpus: [[UInt8]], random: inout Mixer) -> [UInt8] {
    var data = input
    for _ in 0...random.below(4) {
        switch random.below(target == "swiftmd" ? 9 : 8) {
        case 0 where !data.isEmpty: data[random.below(data.count)] ^= UInt8(1) << UInt8(random.below(8))
        case 1 where !data.isEmpty: data[random.below(data.count)] = interesting[random.below(interesting.count)]
        case 2: data.insert(UInt8(truncatingIfNeeded: random.next()), at: random.below(data.count + 1))
        case 3 where !data.isEmpty:
            let start = random.below(data.count)
            data.removeSubrange(start..<min(data.count, start + 1 + random.below(16)))
        case 4 where !data.isEmpty: data = Array(data.prefix(random.below(data.count)))
        case 5 where !data.isEmpty:
            let start = random.below(data.count), length = min(data.count - start, 1 + random.below(32))
            data.insert(contentsOf: data[start..<(start + length)], at: random.below(data.count + 1))
        case 6:
            let other = corpus[random.below(corpus.count)]
            if !other.isEmpty {
                let start = random.below(other.count)
                data.insert(contentsOf: other[start..<min(other.count, start + 1 + random.below(64))], at: random.below(data.count + 1))
            }
        case 7 where data.count >= 4:
            // A 32-bit field set to an extreme (lengths, widths, header sizes).
            let at = random.below(data.count - 3)
            let value: UInt32 = [0, 1, 0x7fff_ffff, 0xffff_ffff, 0x8000_0000, 65536][random.below(6)]
            for k in 0..<4 { data[at + k] = UInt8(truncatingIfNeeded: value >> (8 * (3 - k))) }
        case 8:
            let token = Array(tokens[random.below(tokens.count)].utf8)
            data.insert(contentsOf: token, at: random.below(data.count + 1))
        default: break
        }
    }
    if target == "png" && random.below(2) == 0 { repairPNGChecksums(&data) }
    if target == "safetensors" && random.below(2) == 0 { repairHeaderLength(&data) }
    return data
}

/// Recomputes every chunk's CRC, so that mutations reach libpng's chunk parsers instead
/// of stopping at the checksum.
func repairPNGChecksums(_ data: inout [UInt8]) {
    var at = 8
    while at + 12 <= data.count {
        let length = Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
        guard length >= 0, at + 12 + length <= data.count else { return }
        let crc = crc32(data[(at + 4)..<(at + 8 + length)])
        for k in 0..<4 { data[at + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(3 - k))) }
        at += 12 + length
    }
}

/// Sets the 8-byte header length to end at the last `}`, so that mutations of the header
/// reach the JSON and tensor checks instead of stopping at the length.
func repairHeaderLength(_ data: inout [UInt8]) {
    guard data.count > 8, let close = data.lastIndex(of: UInt8(ascii: "}")), close >= 8 else { return }
    let length = UInt64(close + 1 - 8)
    for k in 0..<8 { data[k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
}

let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
    return c
}

func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xffff_ffff
    for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
    return c ^ 0xffff_ffff
}

// MARK: Targets

/// Runs the target on one input; returns whether it was accepted (false: a clean error).
func execute(_ input: [UInt8]) -> Bool {
    switch target {
    case "png":
        // A plain write: the scratch file needs no atomicity, and an fsync per execution
        // would halve the rate.
        guard (try? Data(input).write(to: URL(fileURLWithPath: scratch))) != nil else { fail("cannot write \(scratch)") }
        return (try? PNG.readWithInfo(scratch)) != nil
    case "safetensors":
        return (try? SafeTensors.decode(Data(input), path: "fuzz")) != nil
    default:
        // Each input is read both as a notebook and as a `_project.yml` (same YAML reader).
        let text = String(decoding: input, as: UTF8.self)
        let notebook = (try? NotebookParser.parse(text, path: "fuzz.swiftmd")) != nil
        let project = (try? NotebookProject.parse(text, path: "fuzz/_project.yml")) != nil
        return notebook || project
    }
}

let corpus: [[UInt8]]
switch target {
case "png": corpus = pngSeeds()
case "safetensors": corpus = safetensorsSeeds()
default: corpus = swiftmdSeeds()
}
guard !corpus.isEmpty else { fail("no seed inputs for \(target)") }

let crashFile = (outFolder as NSString).appendingPathComponent("crash-\(target)-seed\(seed).bin")
lip_crash_dump_install(crashFile)

if let count = option("--show").flatMap(Int.init) {
    // A look at what the mutator makes (for its own debugging).
    var random = Mixer(state: seed)
    for _ in 0..<count {
        let input = mutate(corpus[random.below(corpus.count)], corpus: corpus, random: &random)
        print("\(execute(input) ? "accepted" : "rejected") \(input.count) bytes: \(String(decoding: input.prefix(160).map { $0 >= 32 && $0 < 127 ? $0 : 46 }, as: UTF8.self))")
    }
    exit(0)
}

if let replay = option("--replay") {
    guard let data = FileManager.default.contents(atPath: replay) else { fail("cannot read \(replay)") }
    print("replaying \(replay): \(execute([UInt8](data)) ? "accepted" : "rejected with an error")")
    exit(0)
}

var random = Mixer(state: seed)
let start = Date()
var executions = 0, accepted = 0
var pool = corpus
while Date().timeIntervalSince(start) < seconds {
    for _ in 0..<64 {
        let parent = pool[random.below(pool.count)]
        let input = mutate(parent, corpus: corpus, random: &random)
        // The dump pointer is used only while the input is under test, inside its scope.
        let ok = input.withUnsafeBytes { raw -> Bool in
            lip_crash_dump_set(raw.baseAddress, UInt(raw.count))
            defer { lip_crash_dump_set(nil, 0) }
            return execute(input)
        }
        executions += 1
        if ok {
            accepted += 1
            // Keep some accepted variants as parents: deeper mutations of valid files.
            if pool.count < 512 && random.below(16) == 0 { pool.append(input) }
        }
    }
}
unlink(scratch)
let elapsed = Date().timeIntervalSince(start)
print(String(format: "%@: %d executions in %.0f s (%.0f/s), %d accepted, %d rejected with an error, no crash (seed %llu)",
             target, executions, elapsed, Double(executions) / elapsed, accepted, executions - accepted, seed))
