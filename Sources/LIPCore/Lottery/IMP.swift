import Foundation

/// Iterative magnitude pruning, the paper's Algorithm 1 (Frankle & Carbin's IMP with
/// rewinding):
///
///     m ← 1;  for k = 1 … K:  θ ← Train(θ_R ⊙ m);  m ← Prune(m, |θ|, p);  (rewind to θ_R)
///
/// Each round trains the masked network from its rewind point (θ0, or θ_R for late
/// rewinding), prunes `pruneFraction` of the remaining weights with the smallest
/// magnitude over all layers at once, and starts the next round from the same rewind
/// point. `train` does the training (and the rewinding: it loads the start weights);
/// `finished` keeps the record (the ticket folder, resume, manifests live there).
///
/// - Parameters:
///   - mask: the mask of the first round to train (all ones for a fresh search, the
///     last written mask when resuming).
///   - rounds: the rounds to train.
///   - fraction: the share of the remaining weights each round prunes.
///   - trainedDense: layers that train unmasked in every round and enter every ranking
///     with all their weights (the released code's input convolutions); their computed
///     masks are recorded, never applied.
///   - train: trains round k with its mask; returns the trained weights (one array per
///     prunable layer) and whatever the caller wants to record.
///   - finished: called after round k with its mask and the next round's.
/// - Returns: the mask after the last round (the sparsest, not trained here).
public func iterativeMagnitudePruning<Outcome>(
    startingWith mask: PruningMask, rounds: Range<Int>, fraction: Double = IMP.pruneFraction,
    trainedDense: Set<String> = [],
    train: (_ round: Int, _ mask: PruningMask) throws -> (weights: [[Float]], outcome: Outcome),
    finished: (_ round: Int, _ mask: PruningMask, _ next: PruningMask, _ outcome: Outcome) throws -> Void
) rethrows -> PruningMask {
    var mask = mask
    for round in rounds {
        mask = mask.keepingAll(of: trainedDense)
        let (weights, outcome) = try train(round, mask)
        let next = Pruner.magnitudeStep(mask, weights: weights, fraction: fraction)
        try finished(round, mask, next, outcome)
        mask = next
    }
    return mask
}

/// The pruning schedule every IMP search and its baselines share.
public enum IMP {
    /// The share of the remaining weights each round prunes: the paper's 20 %.
    public static let pruneFraction = 0.2

    /// The nominal sparsity after `round` rounds, 1 - (1 - p)^k (the masks' exact
    /// sparsity differs in the last digits: each round prunes a whole number of weights).
    public static func nominalSparsity(round: Int, fraction: Double = pruneFraction) -> Double {
        1 - pow(1 - fraction, Double(round))
    }

    /// The round whose nominal sparsity is closest to `sparsity`.
    public static func round(for sparsity: Double, fraction: Double = pruneFraction) -> Int {
        Int((log(1 - sparsity) / log(1 - fraction)).rounded())
    }

    /// The number of weights left of `total` after `rounds` rounds that each prune
    /// `round(fraction * remaining)` (PyTorch's `_compute_nparams_toprune` rounds half to
    /// even, like Python).
    public static func remaining(_ total: Int, afterRounds rounds: Int, fraction: Double = pruneFraction) -> Int {
        var remaining = total
        for _ in 0..<rounds { remaining -= Int((fraction * Double(remaining)).rounded(.toNearestOrEven)) }
        return remaining
    }
}
