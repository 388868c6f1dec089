import Foundation
import ImageIO
import LIPCore
import Networks
import Testing
import TensorKit

func ticketFolder(_ name: String) -> TicketFolder {
    let path = temporaryFile("tickets-\(name)")
    try? FileManager.default.removeItem(atPath: path)
    return TicketFolder(path)
}

func search(_ method: PruningMethod, rounds: Int, folder: TicketFolder, reference: String? = nil,
            rewind: Int = 0) throws -> TicketManifest {
    let problem = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1).maskFindingProblem
    var settings = problem.defaultSettings
    settings.iterations = 3
    let configuration = TicketSearchConfiguration(method: method, task: .denoise, images: ["gradient"],
                                                  degradation: problem.degradationLabel, rounds: rounds, iterations: 3,
                                                  rewindIteration: rewind, seed: 5, referenceTicket: reference)
    var ticketSearch = TicketSearch(configuration: configuration, problems: [problem], folder: folder, settings: settings)
    ticketSearch.synflowIterations = 4  // the schedule, not its length, is under test
    return try ticketSearch.run()
}

struct PruningTests {
    @Test func magnitudeStepPrunesTheSmallestRemainingWeights() {
        let mask = PruningMask(layers: [.init(name: "a", shape: [4], values: [1, 1, 0, 1]),
                                        .init(name: "b", shape: [2], values: [1, 1])])
        // 5 remaining, round(0.2 * 5) = 1 pruned: the smallest |w| among kept ones (-0.05 in b).
        let next = Pruner.magnitudeStep(mask, weights: [[0.5, -0.3, 0.01, 0.2], [-0.05, 0.9]])
        #expect(next.layers[0].values == [1, 1, 0, 1])
        #expect(next.layers[1].values == [0, 1])
    }

    @Test func roundingFollowsPyTorch() {
        // 2,208,768 conv weights: 20 % rounds, then 1 - 0.8^k within k weights.
        let total = 2_208_768
        for k in 1...24 {
            let remaining = IMP.remaining(total, afterRounds: k)
            #expect(abs(Double(remaining) - Double(total) * pow(0.8, Double(k))) <= Double(k))
        }
        #expect(IMP.remaining(5, afterRounds: 1) == 4)
        #expect(IMP.remaining(10, afterRounds: 1) == 8)
        #expect(IMP.remaining(12, afterRounds: 1) == 10)  // round(2.4) = 2
    }

    @Test func nominalSparsitiesAndRoundsInvertEachOther() {
        #expect(IMP.pruneFraction == 0.2)
        #expect(IMP.nominalSparsity(round: 0) == 0)
        #expect(abs(IMP.nominalSparsity(round: 1) - 0.2) < 1e-12)
        #expect(abs(IMP.nominalSparsity(round: 24) - (1 - pow(0.8, 24))) < 1e-12)
        for k in 0...24 { #expect(IMP.round(for: IMP.nominalSparsity(round: k)) == k) }
        #expect(IMP.round(for: 0.738) == 6)  // 73.8 %: round 6 (1 - 0.8^6 = 73.79 %)
        #expect(IMP.round(for: 0.995) == 24)  // the paper's extreme LIP
        #expect(abs(IMP.nominalSparsity(round: 2, fraction: 0.36) - (1 - 0.64 * 0.64)) < 1e-12)
    }

    /// Algorithm 1 on a toy "training" that returns fixed weights: each round prunes 20 %
    /// of what remains by magnitude, hands `finished` the mask it trained and the next one,
    /// and trains every round from the mask the previous round left.
    @Test func theIMPLoopTrainsPrunesAndPassesEachMaskOn() {
        let dense = PruningMask(layers: [.init(name: "a", shape: [5], values: [1, 1, 1, 1, 1]),
                                         .init(name: "b", shape: [5], values: [1, 1, 1, 1, 1])])
        let weights: [[Float]] = [[0.1, -0.9, 0.3, 0.05, 0.7], [0.6, -0.2, 0.8, 0.4, -0.01]]
        var trained: [(Int, Int)] = []
        var handed: [(Int, Int, Int)] = []
        let last = iterativeMagnitudePruning(
            startingWith: dense, rounds: 0..<3,
            train: { round, mask in
                trained.append((round, mask.kept))
                return (weights, "round \(round)")
            },
            finished: { round, mask, next, outcome in
                #expect(outcome == "round \(round)")
                handed.append((round, mask.kept, next.kept))
            })
        #expect(trained.map(\.0) == [0, 1, 2] && trained.map(\.1) == [10, 8, 6])
        #expect(handed.map(\.2) == [8, 6, 5])  // round(0.2 * 10) = 2, round(1.6) = 2, round(1.2) = 1
        #expect(last.kept == 5)
        // The five largest magnitudes survive: -0.9, 0.8, 0.7, 0.6, 0.4.
        #expect(last.layers[0].values == [0, 1, 0, 0, 1] && last.layers[1].values == [1, 0, 1, 1, 0])
        // Resuming from round 1's mask gives the same end.
        let resumed = iterativeMagnitudePruning(startingWith: Pruner.magnitudeStep(dense, weights: weights), rounds: 1..<3,
                                                train: { _, _ in (weights, ()) }, finished: { _, _, _, _ in })
        #expect(resumed == last)
    }

    /// The released code's search: layer "a" trains dense in every round but its weights
    /// enter every ranking, so each round's 20 % is taken from "a"'s whole and "b"'s
    /// remainder, and "b" is pruned less than the schedule says.
    @Test func layersTrainedDenseAreRankedButNeverMasked() {
        let dense = PruningMask(layers: [.init(name: "a", shape: [5], values: [1, 1, 1, 1, 1]),
                                         .init(name: "b", shape: [5], values: [1, 1, 1, 1, 1])])
        let weights: [[Float]] = [[0.01, 0.9, 0.95, 0.97, 0.99], [0.6, -0.2, 0.8, 0.4, -0.3]]
        var trainedWith: [PruningMask] = []
        let last = iterativeMagnitudePruning(
            startingWith: dense, rounds: 0..<3, trainedDense: ["a"],
            train: { _, mask in
                trainedWith.append(mask)
                return (weights, ())
            },
            finished: { _, _, _, _ in })
        #expect(trainedWith.allSatisfy { $0.layers[0].values == [1, 1, 1, 1, 1] })
        // Each round ranks a's 5 with b's remainder and prunes round(0.2 n): 2 of 10, 2 of 9,
        // 2 of 8; a's 0.01 is one of them every time.
        #expect(trainedWith.map { $0.layers[1].kept } == [5, 4, 3])
        #expect(last.layers[0].values == [0, 1, 1, 1, 1] && last.layers[1].values == [1, 0, 1, 0, 0])
        // Masking "a" too (the paper's IMP) leaves b one weight: 0.8.
        let masked = iterativeMagnitudePruning(startingWith: dense, rounds: 0..<3, train: { _, _ in (weights, ()) },
                                               finished: { _, _, _, _ in })
        #expect(masked.layers[1].values == [0, 0, 1, 0, 0])
    }

    @Test func maskedWeightsStayExactlyZeroThroughTraining() throws {
        let problem = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1)
        var configuration = SkipConfiguration.dip
        configuration.channelsDown = [8, 8, 8, 8, 8]
        configuration.channelsUp = [8, 8, 8, 8, 8]
        let network = makeSkipNetwork(configuration)
        network.initializeParameters(seed: 2)
        var random = RandomSource(seed: 3)
        var mask = PruningMask.dense(for: network)
        for _ in 0..<3 { mask = Pruner.randomStep(mask, random: &random) }
        try mask.apply(to: network)
        var settings = FitSettings()
        settings.iterations = 6
        _ = try fitDeepImagePrior(network: network, input: makeNetworkInput(depth: 32, height: 64, width: 64, seed: 4),
                                  settings: settings, loss: { problem.loss($0) }, observedPSNR: { problem.observedPSNR($0) },
                                  clean: problem.clean.pixels)
        for ((_, conv), layer) in zip(network.convolutions, mask.layers) {
            for (w, m) in zip(conv.weight.data, layer.values) where m == 0 { #expect(w == 0) }
            #expect(zip(conv.weight.data, layer.values).contains { $1 == 1 && $0 != 0 })
        }
    }

    @Test func releasedCodeQuirkLeavesTheInputConvolutionsDense() throws {
        let network = makeSkipNetwork(.dip)
        var mask = PruningMask.dense(for: network)
        var random = RandomSource(seed: 1)
        for _ in 0..<8 { mask = Pruner.randomStep(mask, random: &random) }
        try mask.apply(to: network, keepingDense: PruningMask.inputConvolutions)
        #expect(network.convolutions[0].layer.mask == nil && network.convolutions[1].layer.mask == nil)
        #expect(network.convolutions[2].layer.mask != nil)
        #expect(mask.effectiveSparsity(keepingDense: PruningMask.inputConvolutions) < mask.sparsity)
    }
}

@Suite(.serialized)
struct TicketSearchTests {
    @Test func impReachesTheNominalSparsityAndRewindsToTheInitialization() throws {
        let folder = ticketFolder("imp")
        let manifest = try search(.imp, rounds: 3, folder: folder)
        #expect(manifest.rounds.map(\.round) == [0, 1, 2, 3])
        let total = manifest.convolutionWeights
        for round in manifest.rounds {
            #expect(round.remainingWeights == IMP.remaining(total, afterRounds: round.round))
            #expect(abs(round.sparsity - (IMP.nominalSparsity(round: round.round))) <= Double(round.round) / Double(total) + 1e-12)
        }
        #expect(manifest.rounds[0].searchBestPSNR != nil && manifest.rounds[3].searchBestPSNR == nil)

        // θ0 on disk is the seed's initialization; a masked rewind is θ0 times the mask, exactly.
        let network = makeSkipNetwork(.dip)
        var weightSeeds = RandomSource(seed: 5).derived("weights")
        network.initializeParameters(seed: weightSeeds.next())
        #expect(try folder.initialWeights().entries == network.stateDict())
        let mask = try folder.mask(round: 3, for: network)
        let theta0 = network.convolutions.map(\.layer.weight.data)
        try network.loadStateDict(try folder.rewindWeights(), source: "rewind")
        try mask.apply(to: network)
        for (l, (_, conv)) in network.convolutions.enumerated() {
            #expect(conv.weight.data == zip(theta0[l], mask.layers[l].values).map(*))
        }
    }

    @Test func resumingGivesTheSameTicketAsAnUninterruptedSearch() throws {
        let straight = ticketFolder("straight"), resumed = ticketFolder("resumed")
        let a = try search(.imp, rounds: 3, folder: straight)
        _ = try search(.imp, rounds: 1, folder: resumed)
        let b = try search(.imp, rounds: 3, folder: resumed)
        let network = makeSkipNetwork(.dip)
        for round in 0...3 {
            #expect(try straight.mask(round: round, for: network) == resumed.mask(round: round, for: network))
        }
        #expect(a.rounds.map(\.searchBestPSNR) == b.rounds.map(\.searchBestPSNR))
        #expect(a.rounds.map(\.remainingWeights) == b.rounds.map(\.remainingWeights))
    }

    @Test func aFolderWithOtherSettingsIsNotReused() throws {
        let folder = ticketFolder("other")
        _ = try search(.imp, rounds: 1, folder: folder)
        #expect(throws: TicketError.self) { try search(.random, rounds: 1, folder: folder) }
    }

    @Test func baselinesMatchIMPsSparsity() throws {
        let imp = ticketFolder("imp-ref")
        let reference = try search(.imp, rounds: 2, folder: imp)
        let network = makeSkipNetwork(.dip)
        for method in [PruningMethod.random, .randomLayerwise, .oneshot, .snip, .grasp, .synflow] {
            let folder = ticketFolder("baseline-\(method.rawValue)")
            let manifest = try search(method, rounds: 2, folder: folder, reference: imp.url.path)
            #expect(manifest.rounds.map(\.remainingWeights) == reference.rounds.map(\.remainingWeights), "\(method)")
            if method == .randomLayerwise {
                let target = try imp.mask(round: 2, for: network), mask = try folder.mask(round: 2, for: network)
                #expect(mask.layers.map(\.kept) == target.layers.map(\.kept))
                #expect(mask != target)
            }
        }
    }

    @Test func lateRewindingSavesTheRewindPoint() throws {
        let folder = ticketFolder("rewind")
        _ = try search(.imp, rounds: 1, folder: folder, rewind: 2)
        #expect(FileManager.default.fileExists(atPath: folder.rewindWeightsURL.path))
        #expect(try folder.rewindWeights().entries != folder.initialWeights().entries)
    }

    @Test func ticketEvaluationTrainsTheMaskedNetwork() throws {
        let folder = ticketFolder("eval")
        _ = try search(.imp, rounds: 2, folder: folder)
        let problem = try RestorationProblem.inpainting(gradientImage(side: 64), keep: 0.5, seed: 9)
        var settings = problem.defaultSettings
        settings.iterations = 3
        let outcome = try evaluateTicket(folder, round: 2, on: problem, settings: settings)
        #expect(abs(outcome.report.sparsity - 0.36) < 1e-4)
        #expect(outcome.report.history.count == 3)
        #expect(outcome.report.parameters == 2_217_831 - (2_208_768 - IMP.remaining(2_208_768, afterRounds: 2)))
    }
}

struct SelectionTests {
    @Test func pruneLowestBreaksTiesInNetworkOrder() {
        let mask = PruningMask(layers: [.init(name: "a", shape: [3], values: [1, 1, 1]),
                                        .init(name: "b", shape: [3], values: [1, 0, 1])])
        let scores: [[Float]] = [[2, 1, 1], [1, 0, 5]]
        // Kept scores: 2, 1, 1, 1, 5; prune three: the three 1s (b[1] is already pruned).
        let pruned = Pruner.pruneLowest(mask, scores: scores, count: 3)
        #expect(pruned.layers[0].values == [1, 0, 0])
        #expect(pruned.layers[1].values == [0, 0, 1])
        let two = Pruner.pruneLowest(mask, scores: scores, count: 2)
        #expect(two.layers[0].values == [1, 0, 0])
        #expect(two.layers[1].values == [1, 0, 1])
    }

    @Test func selectionAgreesWithSorting() {
        var random = RandomSource(seed: 7)
        let scores = (0..<5).map { _ in random.uniform(count: 1000) }
        let mask = PruningMask(layers: (0..<5).map { .init(name: "\($0)", shape: [1000], values: [Float](repeating: 1, count: 1000)) })
        let pruned = Pruner.pruneLowest(mask, scores: scores, count: 1234)
        let threshold = scores.flatMap { $0 }.sorted()[1233]
        for (l, layer) in pruned.layers.enumerated() {
            for i in 0..<1000 { #expect((layer.values[i] == 0) == (scores[l][i] <= threshold)) }
        }
    }
}

struct SparseTrainingTests {
    /// A pruned DIP (random global masks, plus one input channel pruned away) trained a
    /// few Adam steps on the sparse kernels and on the dense path with masked weights:
    /// the same gradients at the first step and the same losses along the way.
    @Test(arguments: [0.59, 0.89, 0.97])
    func sparseAndDenseTrainingAgree(sparsity: Double) throws {
        func train(sparse: Bool) throws -> (losses: [Double], gradients: [Float], names: [String], noise: Set<String>) {
            // Pruned weights' gradients are not computed on the sparse path (Adam keeps
            // those weights at zero either way), so compare the kept ones.
            let problem = RestorationProblem.denoising(gradientImage(side: 64), sigma: 25, seed: 1)
            // Four scales, so the deepest batch norm sees 4x4 values: over the 2x2 of a
            // fifth scale, rounding-level differences between the two paths' summation
            // orders grow to 1e-3 of the loss within four steps on either path alone.
            var configuration = SkipConfiguration.dip
            configuration.channelsDown = [32, 32, 32, 32]
            configuration.channelsUp = [32, 32, 32, 32]
            configuration.channelsSkip = [4, 4, 4, 4]
            let network = makeSkipNetwork(configuration)
            network.initializeParameters(seed: 2)
            var mask = PruningMask.dense(for: network)
            var random = RandomSource(seed: 5)
            while mask.sparsity < sparsity { mask = Pruner.randomStep(mask, random: &random) }
            // Input channel 0 of a 3x3 layer pruned away. (Pruning a whole output channel
            // leaves a constant channel whose zero-variance batch norm multiplies rounding
            // noise by 1/sqrt(eps) ≈ 316 on either path; the kernels are checked on that
            // case op by op.)
            for o in 0..<32 { for t in 0..<9 { mask.layers[2].values[o * 32 * 9 + t] = 0 } }
            try mask.apply(to: network)
            for (_, conv) in network.convolutions { conv.useSparseKernels(sparse) }
            let input = makeNetworkInput(depth: 32, height: 64, width: 64, seed: 3)
            problem.loss(GradientMode.withoutGradients { network(input) })  // warm the statistics alike
            network.parameters.forEach { $0.zeroGradient() }
            problem.loss(network(input)).backward()
            let masks = Dictionary(uniqueKeysWithValues: network.convolutions.map { (ObjectIdentifier($0.layer.weight), $0.layer.mask!) })
            let gradients = network.parameters.flatMap { p in
                zip(p.gradient ?? [Float](repeating: 0, count: p.count), masks[ObjectIdentifier(p)] ?? [Float](repeating: 1, count: p.count)).map(*)
            }
            network.parameters.forEach { $0.zeroGradient() }
            // Adam with eps 1e-3: PyTorch's 1e-8 turns the first steps into ±lr for every
            // weight, so rounding-level gradient differences near zero would decide them.
            let adam = Adam(parameters: network.parameters, learningRate: 0.01, epsilon: 1e-3)
            for (_, conv) in network.convolutions { adam.masks[ObjectIdentifier(conv.weight)] = conv.mask }
            var losses: [Double] = []
            for _ in 0..<4 {
                adam.zeroGradients()
                let loss = problem.loss(network(input))
                loss.backward()
                losses.append(Double(loss.scalar))
                adam.step()
            }
            let names = network.namedParameters().flatMap { p in [String](repeating: p.name, count: p.tensor.count) }
            // Every convolution but the last feeds a batch norm, which removes its bias:
            // those biases' true gradient is zero, and both paths give rounding noise.
            let noise = Set(network.convolutions.dropLast().map { "\($0.path).bias" })
            return (losses, gradients, names, noise)
        }
        let sparse = try train(sparse: true), dense = try train(sparse: false)
        let scale = dense.gradients.map(abs).max()!
        let compared = dense.names.indices.filter { !dense.noise.contains(dense.names[$0]) }
        let differences = compared.map { (index: $0, difference: abs(sparse.gradients[$0] - dense.gradients[$0])) }
        let worst = differences.max { $0.difference < $1.difference }!
        #expect(worst.difference <= 1e-4 * scale,
                "largest gradient difference \(worst.difference) of \(scale) at \(dense.names[worst.index]): \(sparse.gradients[worst.index]), \(dense.gradients[worst.index])")
        // The biases in front of a batch norm: noise on both paths, far below the scale.
        let noise = dense.names.indices.filter { dense.noise.contains(dense.names[$0]) }
        #expect(!noise.isEmpty && noise.allSatisfy { abs(sparse.gradients[$0]) <= 1e-3 * scale && abs(dense.gradients[$0]) <= 1e-3 * scale })
        for (a, b) in zip(sparse.losses, dense.losses) { #expect(abs(a - b) <= 1e-3 * abs(b)) }
    }
}
