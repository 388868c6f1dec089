import Foundation
import LIPCore

/// The scale a profile runs the paper's experiments at: crop size, seeds, Adam steps per
/// task, the IMP search's steps per round, the deep decoder's steps. Every notebook reads
/// the same scale, so the notebooks ask for the same searches and evaluations and each is
/// computed once.
///
/// This file holds parameters only, never a computation: it is left out of the numerics
/// hash (`Toolchain.profileSources`), because each of its values reaches a stored unit
/// through the unit's request (crop, steps, seed, rounds are in every key). Changing a
/// budget recomputes the units that use it and keeps the others.
///
/// The steps are chosen by measurement, not by habit. At 64x64 (the quick profile's
/// crops, seeds 42 and 7, runs of 2000 steps, scored as the notebooks score them):
///
/// | run | best step | after the peak |
/// |---|---|---|
/// | denoising, dense | 581, 623 | -4 dB by step 1500 |
/// | denoising, LIP at 95.6 % (round 14) | 841, 793 | -1 dB by step 2000 |
/// | SR x4, dense | 1042 (20.80 dB from step 800 on) | -0.14 dB by step 2000 |
/// | SR x8, dense | 206 | -3 dB by step 1000 |
/// | inpainting, dense and LIP at 59 % | 1945-1994 | still rising: +0.7 to +1.2 dB from step 1500 to 2000 |
///
/// So quick runs denoising 1100 steps and SR 1300 (every peak at ≤ 80 % of the steps, the
/// overfitting after it inside the run). Inpainting has no noise to overfit and is still
/// rising at step 2000; converging it at 64 px would take several thousand steps on each of
/// its twelve runs (about half an hour more of two cores), so quick stops it at 1000 and
/// its claims say *inconclusive (not converged)*. The deep decoder is still rising at step
/// 1500 on all four tasks, so it runs 3000 steps. `benchmarks/step-budgets.swiftmd`
/// repeats the measurement for any profile; the best step of every run a claim rests on
/// is on the paper page.
public struct Scale: Codable, Sendable, Equatable {
    public var name: String
    /// Center crop, pixels a side (0: the whole image).
    public var size: Int
    public var seeds: [UInt64]
    /// Adam steps of each evaluation, by Fig. 2 row id.
    public var steps: [String: Int]
    /// Adam steps of each IMP round (the search that finds the masks).
    public var searchSteps: [String: Int]
    public var deepDecoderSteps: Int
    /// The deepest IMP round the shared searches run to.
    public var rounds: Int
    /// What this scale cuts from the paper's protocol, in words.
    public var cuts: String

    public static let smoke = Scale(
        name: "smoke", size: 64, seeds: [42],
        steps: ["denoising": 4, "inpainting": 4, "sr-x4": 4, "sr-x8": 4],
        searchSteps: ["denoising": 4, "inpainting": 4, "sr-x4": 4, "sr-x8": 4],
        deepDecoderSteps: 4, rounds: 2,
        cuts: "a few steps per run and one seed: it checks that the notebook works, and no claim can be decided")

    public static let quick = Scale(
        name: "quick", size: 64, seeds: [42, 7, 1],
        steps: ["denoising": 1100, "inpainting": 1000, "sr-x4": 1300, "sr-x8": 1300],
        searchSteps: ["denoising": 250, "inpainting": 250, "sr-x4": 250, "sr-x8": 250],
        deepDecoderSteps: 3000, rounds: 4,
        cuts: "64x64 crops instead of whole images; IMP rounds of 250 steps (the paper trains each round as long as it evaluates) and 4 rounds (59 % sparsity; 14 rounds, 95.6 %, for Fig. 1 and Fig. 2's denoising row) instead of 24; evaluations of 1100 steps for denoising, 1300 for SR and 1000 for inpainting (measured, see `Scale`: inpainting is still rising there, so its claims are inconclusive); three seeds")

    /// Between quick (directional, minutes) and paper (days): 128x128 crops, five seeds, the
    /// rounds that reach the paper's 99.53 % (24), IMP rounds of 1000 steps. The evaluation
    /// steps are provisional until measured at 128 px as quick's were at 64 (the dense DIP's
    /// peak step, see above): every claim's convergence check reports a run that peaks in
    /// its last 10 %, and `lip notebook plan --profile standard` states the CPU-hours.
    ///
    /// Denoising, measured at 128 px (2026-11-30, `benchmarks/step-budgets.swiftmd`,
    /// `--profile standard --param rows=denoising --param lip=false --param seeds=42,7,1,3`,
    /// runs of 3000 steps): the dense DIP peaks at steps 1246, 1126, 1115 and 1233, every
    /// peak inside 1500 steps but two past its 80 % (1200); 1600 steps keeps them all under
    /// 80 %. Not changed yet: this file is part of every rendered page's hash, so the change
    /// waits for the next re-render of the quick pages; the standard row must not run before.
    /// IMP rounds of 1000 steps stop before that peak (the paper trains each round as long as
    /// it evaluates).
    public static let standard = Scale(
        name: "standard", size: 128, seeds: [42, 7, 1, 3, 5],
        steps: ["denoising": 1500, "inpainting": 2000, "sr-x4": 2000, "sr-x8": 2000],
        searchSteps: ["denoising": 1000, "inpainting": 1000, "sr-x4": 1000, "sr-x8": 1000],
        deepDecoderSteps: 5000, rounds: 24,
        cuts: "128x128 crops instead of whole images; IMP rounds of 1000 steps (the paper trains each round as long as it evaluates); evaluations of 1500 steps for denoising and 2000 for inpainting and SR (provisional: not yet measured at 128 px); five seeds")

    public static let paper = Scale(
        name: "paper", size: 0, seeds: [42, 7, 1],
        steps: ["denoising": 3000, "inpainting": 3000, "sr-x4": 2000, "sr-x8": 2000],
        searchSteps: ["denoising": 3000, "inpainting": 3000, "sr-x4": 2000, "sr-x8": 2000],
        deepDecoderSteps: 5000, rounds: 24,
        cuts: "none of the paper's settings; three seeds as the paper")

    public static let all = [smoke, quick, standard, paper]

    public static func named(_ name: String) throws -> Scale {
        guard let scale = all.first(where: { $0.name == name }) else {
            throw ExperimentError.unknownBenchmark(name, known: all.map(\.name))
        }
        return scale
    }

    public func steps(for benchmark: Benchmark) -> Int { steps[benchmark.id] ?? steps["denoising"]! }
    public func searchSteps(for benchmark: Benchmark) -> Int { searchSteps[benchmark.id] ?? searchSteps["denoising"]! }

    /// The benchmark's problem at this scale for one seed (`image`: another picture, for
    /// transfer across images).
    /// `size` overrides the scale's crop (multi-image IMP needs images cropped alike).
    public func experiment(_ benchmark: Benchmark, data: ImageData, seed: UInt64, image: String? = nil,
                           size: Int? = nil) throws -> Experiment {
        var experiment = try Experiment(benchmark, data: data, size: size ?? self.size, iterations: steps(for: benchmark),
                                        seed: seed, image: image)
        experiment.searchIterations = searchSteps(for: benchmark)
        experiment.deepDecoderIterations = deepDecoderSteps
        return experiment
    }

    /// The IMP round a claim about sparsity `sparsity` is checked at: the round whose
    /// nominal sparsity 1 − 0.8^k is nearest, or the deepest this scale reaches.
    public func round(nearest sparsity: Double, reachable: Int? = nil) -> Int {
        min(PaperPoint(sparsity: sparsity, psnr: 0).round, reachable ?? rounds)
    }
}
