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

    @Option(parsing: .unconditional, help: "Timed steps per size.")
    var steps: Int = 5

    @Flag(help: "Also time the convolution shapes of the network one by one (forward, forward+backward).")
    var layers = false

    @Flag(help: "After timing, run --steps more steps and print where their time goes, by operation and output shape.")
    var profile = false

    func validate() throws {
        if let bad = sizes.first(where: { $0 < TaskOptions.minimumImageSide || $0 % 32 != 0 }) {
            throw ValidationError("--sizes must be multiples of 32 of at least \(TaskOptions.minimumImageSide), got \(bad)")
        }
        try Check.atLeast(steps, 1, "--steps")
        if let bad = sparsity.first(where: { !($0.isFinite && $0 >= 0 && $0 < 100) }) {
            throw ValidationError("--sparsity values are percentages in [0, 100), got \(bad)")
        }
        for size in sizes {
            try Check.fitsInMemory(MemoryEstimate(prior: .dip(.dip), channels: 3, height: size, width: size, iterations: 0),
                                   what: "--sizes \(size)", hint: "choose smaller sizes")
        }
    }

    @Option(parsing: .upToNextOption, help: "Sparsities (percent of conv weights pruned) to time; 0 is the dense DIP.")
    var sparsity: [Double] = [0]

    func run() throws {
        if layers { timeLayers() }
        print("DIP training step (forward + MSE + backward + Adam), \(Threads.count) threads, BLAS core \(Threads.blasCore)")
        let plan = ConvolutionPlan.standard
        print("sparse kernels at or below density \(plan.sparseDensityThreshold) (\(plan.sparseDensityThresholdAgainstWinograd) where the dense path is Winograd); masks: global magnitude pruning of θ0 in 20 % rounds")
        print("size  sparsity   ms/step   GFLOP/s dense-eq.   GFLOP/s actual   peak RSS")
        for size in sizes {
            var denseFlops: Double? = nil
            for percent in sparsity.sorted() {
                let network = makeSkipNetwork(.dip)
                network.initializeParameters(seed: 1)
                if percent > 0 {
                    var mask = PruningMask.dense(for: network)
                    while mask.sparsity < percent / 100 - 1e-9 {
                        let remaining = mask.kept
                        let target = Int(Double(mask.count) * (1 - percent / 100))
                        let fraction = min(0.2, Double(remaining - target) / Double(remaining))
                        mask = Pruner.magnitudeStep(mask, weights: Pruner.weights(of: network), fraction: fraction)
                    }
                    try mask.apply(to: network)
                }
                let input = makeNetworkInput(depth: SkipConfiguration.dip.inputChannels, height: size, width: size, seed: 2)
                var random = RandomSource(seed: 3)
                let target = Tensor(shape: [1, 3, size, size], data: random.uniform(count: 3 * size * size))
                let optimizer = Adam(parameters: network.parameters, learningRate: 0.01)
                for (_, conv) in network.convolutions {
                    if let mask = conv.mask { optimizer.masks[ObjectIdentifier(conv.weight)] = mask }
                }
                // A step's forward and backward passes; returns its update.
                func forwardBackward() -> () -> Void {
                    optimizer.zeroGradients()
                    OperationProfile.mark()
                    meanSquaredError(network(input), target).backward()
                    return { optimizer.step() }
                }
                var times: [Double] = []
                var flops = 0.0
                for step in 0...steps {
                    GemmCounter.flops = 0
                    let start = Date()
                    forwardBackward()()
                    if step > 0 { times.append(Date().timeIntervalSince(start)) }
                    flops = GemmCounter.flops
                }
                if profile {
                    let densities = network.convolutions.map { path, conv in
                        String(format: "%@ %.0f%%", path, 100 * (1 - conv.maskSparsity))
                    }
                    print("  weights kept per convolution: " + densities.joined(separator: ", "))
                    printProfile(steps: steps, forwardBackward)
                }
                if percent == 0 { denseFlops = flops }  // sparsities are sorted: the dense row comes first
                let median = times.sorted()[times.count / 2]
                let denseEquivalent = denseFlops.map { String(format: "%10.1f", $0 / median / 1e9) } ?? "         -"
                print(String(format: "%4d  %7.2f %%  %8.1f   %@          %10.1f      %6.0f MiB", size, percent, median * 1000,
                             denseEquivalent, flops / median / 1e9, Double(lip_peak_rss_bytes()) / 1_048_576))
            }
        }
    }
}

extension Bench {
    /// Runs `steps` training steps with `OperationProfile` on and prints the time per step
    /// of each operation (forward, backward) and of the optimizer, largest first.
    /// `forwardBackward` runs a step's forward and backward passes and returns its update.
    func printProfile(steps: Int, _ forwardBackward: () -> () -> Void) {
        OperationProfile.reset()
        OperationProfile.isEnabled = true
        var total = 0.0, update = 0.0
        for _ in 0..<steps {
            let start = Date()
            let step = forwardBackward()
            let updateStart = Date()
            step()
            update += Date().timeIntervalSince(updateStart)
            total += Date().timeIntervalSince(start)
        }
        OperationProfile.isEnabled = false
        var rows = OperationProfile.forward.map { ("fwd  " + $0.key, $0.value) }
            + OperationProfile.backward.map { ("bwd  " + $0.key, $0.value) }
        rows.append(("Adam step", OperationProfile.Entry(seconds: update, calls: steps)))
        rows.sort { $0.1.seconds > $1.1.seconds }
        let perStep = 1000 / Double(steps)
        print(String(format: "  profile over %d steps: %.1f ms/step (profiling adds a clock read per operation)",
                     steps, total * perStep))
        print("  ms/step   share  calls/step  operation and output shape")
        let shown = rows.filter { $0.1.seconds * perStep >= 0.5 }
        let accounted = shown.reduce(0) { $0 + $1.1.seconds }
        for (name, entry) in shown {
            print(String(format: "  %7.1f  %5.1f %%  %6d      %@", entry.seconds * perStep, 100 * entry.seconds / total,
                         entry.calls / steps, name))
        }
        print(String(format: "  %7.1f  %5.1f %%              elsewhere (rows under 0.5 ms, graph walk, allocation)",
                     (total - accounted) * perStep, 100 * (total - accounted) / total))
    }

    /// Times each convolution shape of the DIP network at the largest benchmark size.
    func timeLayers() {
        let size = sizes.max()!
        print("convolution shapes at \(size)x\(size) input (best of 5)")
        print("layer                               fwd ms  GFLOP/s   fwd+bwd ms  GFLOP/s   (sparse rows: GFLOP/s of the kept work)")
        var random = RandomSource(seed: 1)
        let shapes: [(String, Int, Int, Int, Int)] = [
            ("down 3x3 s2 32->128", 32, size, 3, 2), ("3x3 128->128 (half res)", 128, size / 2, 3, 1),
            ("up 3x3 132->128", 132, size, 3, 1), ("1x1 128->128", 128, size, 1, 1),
            ("down 3x3 s2 128->128", 128, size / 2, 3, 2), ("skip 1x1 32->4", 32, size, 1, 1),
        ]
        for (label, inChannels, inSize, kernel, stride) in shapes {
            let outChannels = label.hasPrefix("skip") ? 4 : 128
            let x = Tensor(shape: [1, inChannels, inSize, inSize], data: random.uniform(count: inChannels * inSize * inSize),
                           requiresGradient: true)
            let w = Tensor(shape: [outChannels, inChannels, kernel, kernel],
                           data: random.uniform(count: outChannels * inChannels * kernel * kernel), requiresGradient: true)
            let outSize = inSize / stride
            let flops = 2.0 * Double(outChannels * inChannels * kernel * kernel * outSize * outSize)
            func best(_ body: () -> Void) -> Double {
                body()
                var result = Double.infinity
                for _ in 0..<5 {
                    let start = Date()
                    body()
                    result = min(result, Date().timeIntervalSince(start))
                }
                return result
            }
            // Winograd layers also get a row for the direct GEMM lowering they replace; GFLOP/s
            // count the direct convolution's work (the usual convention) for both.
            let winograd = ConvolutionLowering.automatic.usesWinograd(input: x.shape, weight: w.shape, stride: stride,
                                                                     padding: kernel / 2)
            for lowering in winograd ? [ConvolutionLowering.automatic, .direct] : [.automatic] {
                let forward = best {
                    _ = GradientMode.withoutGradients {
                        conv2d(x, weight: w, stride: stride, padding: kernel / 2, paddingMode: .reflection, lowering: lowering)
                    }
                }
                let both = best {
                    let y = conv2d(x, weight: w, stride: stride, padding: kernel / 2, paddingMode: .reflection,
                                   lowering: lowering)
                    y.backward(seed: y.data)
                    x.zeroGradient()
                    w.zeroGradient()
                }
                let name = !winograd ? label : lowering == .automatic ? label + ", Winograd" : "  direct (shifted GEMMs)"
                print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
                      + String(format: "%7.2f  %7.1f   %9.2f  %7.1f", forward * 1000, flops / forward / 1e9,
                               both * 1000, 3 * flops / both / 1e9))
            }
            for density in [0.11, 0.03] {
                var maskRandom = RandomSource(seed: 9)
                let mask = (0..<w.count).map { _ in Double(maskRandom.nextUniform()) < density ? Float(1) : 0 }
                let masked = Tensor(shape: w.shape, data: zip(w.data, mask).map(*), requiresGradient: true)
                let pattern = SparsityPattern(mask: mask, shape: w.shape)
                let keptFlops = flops * pattern.density
                let sparseForward = best {
                    _ = GradientMode.withoutGradients {
                        conv2d(x, weight: masked, stride: stride, padding: kernel / 2, paddingMode: .reflection, pattern: pattern)
                    }
                }
                let sparseBoth = best {
                    let y = conv2d(x, weight: masked, stride: stride, padding: kernel / 2, paddingMode: .reflection, pattern: pattern)
                    y.backward(seed: y.data)
                    x.zeroGradient()
                    masked.zeroGradient()
                }
                print("  sparse, \(Int(density * 100)) % kept".padding(toLength: 34, withPad: " ", startingAt: 0)
                      + String(format: "%7.2f  %7.1f   %9.2f  %7.1f", sparseForward * 1000, keptFlops / sparseForward / 1e9,
                               sparseBoth * 1000, 3 * keptFlops / sparseBoth / 1e9))
            }
        }
    }
}
