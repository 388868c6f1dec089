import Foundation
import Networks
import TensorKit

/// How a ticket's masks are chosen.
public enum PruningMethod: String, Codable, CaseIterable, Sendable {
    /// Iterative magnitude pruning with rewinding: the lottery ticket (LIP).
    case imp
    /// Random global pruning of 20 % of the remaining weights per round.
    case random
    /// Random pruning with the per-layer sparsities of a reference IMP ticket.
    case randomLayerwise = "random-layerwise"
    /// Magnitude pruning of the trained dense network, straight to each sparsity.
    case oneshot
    /// Pruning at initialization by |g ⊙ w| (Lee et al. 2019).
    case snip
    /// Pruning at initialization by -w ⊙ Hg, keeping gradient flow (Wang et al. 2020).
    case grasp
    /// Data-free iterative synaptic flow pruning (Tanaka et al. 2020).
    case synflow

    /// Whether choosing round k's mask needs the previous round's training.
    public var trainsEachRound: Bool { self == .imp }
}

/// Scores-based pruning utilities. A higher score means more worth keeping.
public enum Pruner {
    /// Prunes `count` more weights: the lowest-scoring among those `mask` still keeps,
    /// across all layers (global, as `prune.global_unstructured`). Ties break by position.
    public static func pruneLowest(_ mask: PruningMask, scores: [[Float]], count: Int) -> PruningMask {
        var candidates: [Float] = []
        candidates.reserveCapacity(mask.kept)
        for (l, layer) in mask.layers.enumerated() {
            for i in layer.values.indices where layer.values[i] != 0 { candidates.append(scores[l][i]) }
        }
        guard count > 0, !candidates.isEmpty else { return mask }
        var result = mask
        // The count-th smallest score (selection, not a full sort: SynFlow calls this a
        // hundred times on 2.2M weights). Below it: pruned; equal to it: pruned in
        // network order until the count is reached.
        let threshold = count >= candidates.count ? Float.infinity : kthSmallest(&candidates, count - 1)
        var remaining = count
        for (l, layer) in mask.layers.enumerated() {
            for i in layer.values.indices where layer.values[i] != 0 && scores[l][i] < threshold {
                result.layers[l].values[i] = 0
                remaining -= 1
            }
        }
        for (l, layer) in mask.layers.enumerated() where remaining > 0 {
            for i in layer.values.indices where remaining > 0 && layer.values[i] != 0 && scores[l][i] == threshold {
                result.layers[l].values[i] = 0
                remaining -= 1
            }
        }
        return result
    }

    /// The k-th smallest value (0-based) by quickselect with a median-of-three pivot;
    /// reorders `values`. NaN scores are not expected.
    static func kthSmallest(_ values: inout [Float], _ k: Int) -> Float {
        var low = 0, high = values.count - 1
        while low < high {
            let middle = low + (high - low) / 2
            var trio = [values[low], values[middle], values[high]]
            trio.sort()
            let pivot = trio[1]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return values[k]
            }
        }
        return values[k]
    }

    /// A mask keeping the `keep` highest-scoring weights over all layers of `template`.
    public static func keepHighest(_ template: PruningMask, scores: [[Float]], keep: Int) -> PruningMask {
        var dense = template
        for l in dense.layers.indices { dense.layers[l].values = [Float](repeating: 1, count: dense.layers[l].count) }
        return pruneLowest(dense, scores: scores, count: dense.count - keep)
    }

    /// One IMP step: prune `round(fraction * remaining)` of the remaining weights with the
    /// smallest magnitude in `weights` (the trained network's), over all layers at once.
    ///
    /// - Parameters:
    ///   - mask: the current mask (1 kept, 0 pruned), one array per prunable layer.
    ///   - weights: the trained weights, in the mask's layer order.
    ///   - fraction: the share of the remaining weights to prune.
    /// - Returns: the next mask; weights tied at the threshold are pruned in network order
    ///   until the count is reached.
    /// - Complexity: O(n) expected in the number of remaining weights (a selection of the
    ///   threshold, not a full sort).
    public static func magnitudeStep(_ mask: PruningMask, weights: [[Float]], fraction: Double = IMP.pruneFraction) -> PruningMask {
        let count = Int((fraction * Double(mask.kept)).rounded(.toNearestOrEven))
        return pruneLowest(mask, scores: weights.map { $0.map(abs) }, count: count)
    }

    /// One random step: prune `round(fraction * remaining)` remaining weights uniformly at
    /// random over all layers (once; not the released code's double registration).
    public static func randomStep(_ mask: PruningMask, fraction: Double = IMP.pruneFraction, random: inout RandomSource) -> PruningMask {
        let count = Int((fraction * Double(mask.kept)).rounded(.toNearestOrEven))
        let scores = mask.layers.map { $0.values.map { _ in random.nextUniform() } }
        return pruneLowest(mask, scores: scores, count: count)
    }

    /// Random masks with the given number of kept weights per layer.
    public static func randomLayerwise(_ template: PruningMask, keptPerLayer: [Int], random: inout RandomSource) -> PruningMask {
        var result = template
        for (l, kept) in keptPerLayer.enumerated() {
            let n = result.layers[l].count
            var order = Array(0..<n)
            order.shuffle(using: &random)
            var values = [Float](repeating: 0, count: n)
            for i in order.prefix(kept) { values[i] = 1 }
            result.layers[l].values = values
        }
        return result
    }

    /// Convolution weights of `network`, layer by layer.
    public static func weights(of network: any Layer) -> [[Float]] {
        network.convolutions.map(\.layer.weight.data)
    }

    /// SNIP's connection sensitivity |∂L/∂w ⊙ w| at the current weights, for the loss of
    /// one forward pass on `input`.
    public static func snipScores(network: any Layer, input: Tensor, loss: (Tensor) -> Tensor) -> [[Float]] {
        let gradients = convolutionGradients(network: network, input: input, loss: loss)
        return zip(weights(of: network), gradients).map { w, g in zip(w, g).map { abs($0 * $1) } }
    }

    /// GraSP's score -w ⊙ (H g) (Wang et al. 2020), with g = ∇L held fixed and the
    /// Hessian-gradient product taken as central differences of the gradient along g on
    /// the network linearized at w: every LeakyReLU keeps the slope each element took at w
    /// (`Activation.Linearization`). LeakyReLU is piecewise linear, so that network has the
    /// Hessian of the original at w (what PyTorch's double backward computes) and no kinks
    /// for the step to cross; batch norm, the sigmoid and the loss are smooth. Measured on
    /// the PyTorch fixture (`PruningScoreTests`): plain differences of the gradient are off
    /// by 148 % at any step Float32 allows; linearized ones by 0.05 % here at ε = 3e-5 ‖w‖/‖g‖
    /// (PyTorch's own Float32 differences, linearized: 0.03 % at 3e-5, 0.16 % at 1e-4, 1.4 % at
    /// 3e-4; smaller steps are better until rounding takes over, below 3e-6).
    /// GraSP removes the highest scores, so the returned keep-scores are the negated GraSP
    /// scores.
    public static func graspScores(network: any Layer, input: Tensor, loss: (Tensor) -> Tensor) -> [[Float]] {
        let convolutions = network.convolutions.map(\.layer)
        let leakyReLUs = network.namedModules().compactMap { $0.layer as? Activation }.filter { $0.kind == .leakyReLU || $0.kind == .relu }
        precondition(Set(leakyReLUs.map(ObjectIdentifier.init)).count == leakyReLUs.count,
                     "an activation used at two places would hold one place's slopes for both")
        let original = convolutions.map(\.weight.data)
        // The gradient at w, recording every LeakyReLU's slopes on the way.
        for activation in leakyReLUs { activation.linearization = .recording }
        defer { for activation in leakyReLUs { activation.linearization = nil } }
        let g = convolutionGradients(network: network, input: input, loss: loss)
        let gradientNorm = sqrt(g.flatMap { $0 }.reduce(0.0) { $0 + Double($1) * Double($1) })
        let weightNorm = sqrt(original.flatMap { $0 }.reduce(0.0) { $0 + Double($1) * Double($1) })
        let epsilon = Float(gradientNorm > 0 ? 3e-5 * weightNorm / gradientNorm : 0)
        guard epsilon > 0 else { return original.map { $0.map { _ in 0 } } }
        func shifted(_ sign: Float) -> [[Float]] {
            for (l, conv) in convolutions.enumerated() {
                conv.weight.data = zip(original[l], g[l]).map { $0 + sign * epsilon * $1 }
            }
            return convolutionGradients(network: network, input: input, loss: loss)
        }
        let plus = shifted(1), minus = shifted(-1)
        for (l, conv) in convolutions.enumerated() { conv.weight.data = original[l] }
        return (0..<convolutions.count).map { l in
            (0..<original[l].count).map { i in
                let hg = (plus[l][i] - minus[l][i]) / (2 * epsilon)
                return original[l][i] * hg  // = -(GraSP score): keep the lowest GraSP scores
            }
        }
    }

    /// SynFlow (Tanaka et al. 2020, as Synaptic-Flow's `SynFlow.score`): every parameter
    /// and running statistic replaced by its absolute value (convolution weights and
    /// biases, batch-norm scales and shifts, running means and variances), batch norm in
    /// evaluation mode, an all-ones input; the score of w is |w ⊙ ∂R/∂w| for R the sum of
    /// the output *before* the final sigmoid. (On the linearised network the sigmoid
    /// saturates, so R through it would have no gradient: the one departure from
    /// Synaptic-Flow, whose classifiers end in logits.) Pruning follows `iterations`
    /// steps of an exponential schedule to `keep` weights, rescoring each step on the
    /// masked network (algorithm 1 of the paper).
    public static func synflowMask(network: any Layer, template: PruningMask, inputShape: [Int], keep: Int,
                                   iterations: Int = 100) throws -> PruningMask {
        let convolutions = network.convolutions.map(\.layer)
        let restore = linearize(network)
        defer { restore() }
        let linearised = convolutions.map(\.weight.data)
        var mask = template
        for l in mask.layers.indices { mask.layers[l].values = [Float](repeating: 1, count: mask.layers[l].count) }
        let total = Double(mask.count)
        for step in 1...iterations {
            for (l, conv) in convolutions.enumerated() {
                conv.weight.data = zip(linearised[l], mask.layers[l].values).map { $0 * $1 }
            }
            let scores = linearisedScores(network: network, inputShape: inputShape)
            guard scores.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                throw PruningError.overflow("SynFlow scores overflowed Float32 at step \(step); use a smaller scoring input")
            }
            let target = Int((total * pow(Double(keep) / total, Double(step) / Double(iterations))).rounded())
            mask = keepHighest(mask, scores: scores.enumerated().map { l, s in zip(s, mask.layers[l].values).map { $1 == 0 ? -1 : $0 } },
                               keep: min(mask.kept, target))
        }
        return mask
    }

    /// SynFlow's scores of the unpruned network (one scoring step), for tests against
    /// the reference implementation.
    public static func synflowScores(network: any Layer, inputShape: [Int]) -> [[Float]] {
        let restore = linearize(network)
        defer { restore() }
        return linearisedScores(network: network, inputShape: inputShape)
    }

    static func linearisedScores(network: any Layer, inputShape: [Int]) -> [[Float]] {
        let ones = Tensor(filling: 1, shape: inputShape)
        let gradients = convolutionGradients(network: network, input: ones, loss: { $0.sum() }, dropFinalSigmoid: true)
        return zip(weights(of: network), gradients).map { w, g in zip(w, g).map { abs($0 * $1) } }
    }

    /// Replaces every parameter and running statistic by its absolute value and puts
    /// batch norm in evaluation mode; returns the function that undoes it.
    static func linearize(_ network: any Layer) -> () -> Void {
        let convolutions = network.convolutions.map(\.layer)
        let norms = network.batchNorms.map(\.layer)
        let savedConvolutions = convolutions.map { ($0.weight.data, $0.bias?.data) }
        let savedNorms = norms.map { ($0.weight.data, $0.bias.data, $0.statistics.mean, $0.statistics.variance,
                                      $0.usesRunningStatistics) }
        for conv in convolutions {
            conv.weight.data = conv.weight.data.map(abs)
            if let bias = conv.bias { bias.data = bias.data.map(abs) }
        }
        for norm in norms {
            norm.weight.data = norm.weight.data.map(abs)
            norm.bias.data = norm.bias.data.map(abs)
            norm.statistics.mean = norm.statistics.mean.map(abs)
            norm.statistics.variance = norm.statistics.variance.map(abs)
            norm.usesRunningStatistics = true
        }
        return {
            for (conv, (w, b)) in zip(convolutions, savedConvolutions) {
                conv.weight.data = w
                if let b { conv.bias?.data = b }
            }
            for (norm, saved) in zip(norms, savedNorms) {
                norm.weight.data = saved.0
                norm.bias.data = saved.1
                norm.statistics.mean = saved.2
                norm.statistics.variance = saved.3
                norm.usesRunningStatistics = saved.4
            }
        }
    }

    /// ∂loss/∂w for every convolution weight after one forward pass (no input jitter).
    static func convolutionGradients(network: any Layer, input: Tensor, loss: (Tensor) -> Tensor,
                                     dropFinalSigmoid: Bool = false) -> [[Float]] {
        let parameters = network.parameters
        parameters.forEach { $0.zeroGradient() }
        var output: Tensor
        if dropFinalSigmoid, let sequential = network as? Sequential,
           let last = sequential.children.last?.layer as? Activation, last.kind == .sigmoid {
            output = sequential.children.dropLast().reduce(input) { $1.layer($0) }
        } else {
            output = network(input)
        }
        loss(output).backward()
        let gradients = network.convolutions.map { $0.layer.weight.gradient ?? [Float](repeating: 0, count: $0.layer.weight.count) }
        parameters.forEach { $0.zeroGradient() }
        return gradients
    }
}

public enum PruningError: Error, CustomStringConvertible {
    case overflow(String)
    case needsReference(String)

    public var description: String {
        switch self {
        case .overflow(let why): why
        case .needsReference(let why): why
        }
    }
}
