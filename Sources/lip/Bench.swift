import ArgumentParser
import CSupport
import Foundation
import LIPCore
import Networks
import TensorKit

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time one DIP training step (forward + MSE + backward + Adam) at several sizes.",
        discussion: "Prints the median of --steps timed steps after one warm-up step, the conv GFLOP/s (GEMM work / step time) and the peak RSS.")

    @Option(parsing: .upToNextOption, help: "Image sizes (pixels a side, multiples of 32).")
    var sizes: [Int] = [64, 128, 256]

    @Option(help: "Timed steps per size.")
    var steps: Int = 5

    func validate() throws {
        if let bad = sizes.first(where: { $0 < 32 || $0 % 32 != 0 }) {
            throw ValidationError("--sizes must be multiples of 32 (at least 32), got \(bad)")
        }
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

    func run() throws {
        print("DIP training step, \(Threads.count) threads, BLAS core \(Threads.blasCore)")
        print("size   ms/step   GFLOP/s (conv GEMM)   GFLOP per step   peak RSS")
        for size in sizes {
            let network = makeSkipNetwork(.dip)
            network.initializeParameters(seed: 1)
            let input = makeNetworkInput(depth: 32, height: size, width: size, seed: 2)
            var random = RandomSource(seed: 3)
            let target = Tensor(shape: [1, 3, size, size], data: random.uniform(count: 3 * size * size))
            let optimizer = Adam(parameters: network.parameters, learningRate: 0.01)
            var times: [Double] = []
            var flops = 0.0
            for step in 0...steps {
                GemmCounter.flops = 0
                let start = Date()
                optimizer.zeroGradients()
                let loss = meanSquaredError(network(input), target)
                loss.backward()
                optimizer.step()
                if step > 0 { times.append(Date().timeIntervalSince(start)) }
                flops = GemmCounter.flops
            }
            let median = times.sorted()[times.count / 2]
            print(String(format: "%4d  %8.1f   %10.1f            %8.2f        %6.0f MiB", size, median * 1000,
                         flops / median / 1e9, flops / 1e9, Double(lip_peak_rss_bytes()) / 1_048_576))
        }
    }
}
