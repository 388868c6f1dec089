import Foundation
import ImageIO
import Store
import Testing

/// Results are bit-identical on any number of threads (`Threads`): a unit computed on a
/// 32-core node must equal the same unit computed on a laptop, or a shared result store
/// would hold whichever machine happened to run first. The release `lip` runs the same
/// few steps on 1, 2 and 3 threads, dense and sparse, at 64 and 128 px (where the
/// Winograd blocks and the GEMM splits differ by thread count), and every output must
/// hash the same.
@Suite(.serialized)
struct ThreadCountTests {
    let cli: HostileInputTests

    init() throws {
        cli = try HostileInputTests()
        try cli.write(side: 64, "img64.png")
        try cli.write(side: 128, "img128.png")
    }

    /// Runs `run(out)`, hashes `files` under `out`, then removes `out` (a ticket folder
    /// holds about 120 MB).
    func hashes(_ files: [String], out: String, run: (String) throws -> Void) throws -> [String] {
        defer { try? FileManager.default.removeItem(atPath: cli.path(out)) }
        try run(out)
        return try files.map { name in
            try #require(SHA256.hex(fileAt: cli.path("\(out)/\(name)")), "\(out)/\(name) was not written")
        }
    }

    @Test func denseTrainingCheckpointsAreByteIdenticalOn1To3Threads() throws {
        for side in [64, 128] {
            let runs = try [1, 2, 3].map { threads in
                try hashes(["checkpoint.safetensors", "history.csv"], out: "dense-\(side)-\(threads)") { out in
                    let result = try cli.lip(["denoise", "--image", "img\(side).png", "--iterations", "3", "--out", out],
                                             environment: ["LIP_THREADS": String(threads)])
                    #expect(result.status == 0, "\(result.output)")
                }.joined()
            }
            #expect(Set(runs).count == 1, "\(side) px: checkpoints differ between 1, 2 and 3 threads")
        }
    }

    /// The deep decoder's 1x1 convolutions are plain GEMMs of k rows: k = 435 and 543 cut
    /// into row blocks that are not multiples of OpenBLAS's panels.
    @Test func deepDecoderFitsAreByteIdenticalOn1To3Threads() throws {
        for k in [64, 435] {
            let runs = try [1, 2, 3].map { threads in
                try hashes(["history.csv", "output.png"], out: "decoder-\(k)-\(threads)") { out in
                    let result = try cli.lip(["restore", "--image", "img64.png", "--net", "deep-decoder", "--k", String(k),
                                              "--iterations", "3", "--out", out], environment: ["LIP_THREADS": String(threads)])
                    #expect(result.status == 0, "\(result.output)")
                }.joined()
            }
            #expect(Set(runs).count == 1, "deep decoder k=\(k): fits differ between 1, 2 and 3 threads")
        }
    }

    @Test func ticketSearchesAndSparseEvaluationsAreByteIdenticalOn1To3Threads() throws {
        // 12 rounds: mask 12 keeps 7 % of the weights, so its evaluation runs the sparse kernels.
        let files = ["theta0.safetensors", "round-06.safetensors", "round-12.safetensors", "eval/history.csv", "eval/output.png"]
        let runs = try [1, 2, 3].map { threads in
            try hashes(files, out: "ticket-\(threads)") { out in
                let environment = ["LIP_THREADS": String(threads)]
                let find = try cli.lip(["ticket", "find", "--image", "img64.png", "--iterations", "2", "--rounds", "12", "--out", out],
                                       environment: environment)
                #expect(find.status == 0, "\(find.output)")
                let evaluate = try cli.lip(["ticket", "eval", "--ticket", out, "--round", "12", "--image", "img64.png",
                                            "--iterations", "4", "--out", "\(out)/eval"], environment: environment)
                #expect(evaluate.status == 0, "\(evaluate.output)")
            }.joined()
        }
        #expect(Set(runs).count == 1, "ticket files or the sparse evaluation differ between 1, 2 and 3 threads")
    }
}
