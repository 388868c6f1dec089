import Foundation
import Networks
import TensorKit

/// How z is searched for (Bora et al. 2017, section 4): Adam on z from `restarts` random
/// starts, keeping per image the start whose final loss is lowest (the loss on the
/// measurements: the truth is never looked at), with a small penalty λ||z||².
public struct LatentSearchSettings: Codable, Equatable, Sendable {
    public var steps: Int
    public var learningRate: Float
    public var restarts: Int
    public var latentPenalty: Float
    public var loss: MeasurementLoss
    /// Groups of the median-of-means loss.
    public var groups: Int

    public init(steps: Int = 500, learningRate: Float = 0.05, restarts: Int = 3, latentPenalty: Float = 1e-3,
                loss: MeasurementLoss = .squares, groups: Int = 10) {
        self.steps = steps
        self.learningRate = learningRate
        self.restarts = restarts
        self.latentPenalty = latentPenalty
        self.loss = loss
        self.groups = groups
    }
}

/// What a search found: each image's reconstruction G(z*) and its final loss.
public struct LatentReconstruction {
    /// [images, n] in [-1, 1].
    public var images: [Float]
    public var finalLoss: [Double]
}

/// The observation operator a latent search fits: measurements A x, or the known pixels
/// x ⊙ M of inpainting.
public enum Observation {
    case linear(MeasuredImages)
    /// `mask` (n values, 1 = known) and the observed images x ⊙ M, [images, n].
    case masked(mask: [Float], observed: [Float])

    var count: Int {
        switch self {
        case .linear(let measured): measured.count
        case .masked(let mask, let observed): observed.count / mask.count
        }
    }

    /// The observation of generated images x, [rows, n] → [rows, k].
    func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .linear(let measured): TensorKit.linear(x, weight: measured.matrix)
        case .masked(let mask, _):
            x * Tensor(shape: x.shape, data: (0..<x.shape[0]).flatMap { _ in mask })
        }
    }

    /// What was observed of image i (k values).
    func target(_ image: Int) -> ArraySlice<Float> {
        switch self {
        case .linear(let measured):
            let m = measured.design.measurements
            return measured.observations.data[(image * m)..<((image + 1) * m)]
        case .masked(let mask, let observed):
            return observed[(image * mask.count)..<((image + 1) * mask.count)]
        }
    }
}

/// Searches z for every image of `observation` at once: the generator (in evaluation
/// mode, so each image is generated on its own) runs on a batch of images x restarts.
/// The generator's weights are left as they were and get no gradients.
public func reconstruct(with generator: Sequential, latentDimension: Int, observation: Observation,
                        settings: LatentSearchSettings, random: inout RandomSource,
                        progress: (Int, Int) -> Void = { _, _ in }) -> LatentReconstruction {
    let images = observation.count, restarts = settings.restarts, rows = images * restarts
    let pixels = FashionMNIST.pixels
    let parameters = generator.parameters
    let trainable = parameters.map(\.requiresGradient)
    parameters.forEach { $0.requiresGradient = false }
    generator.setEvaluationMode(true)
    defer {
        zip(parameters, trainable).forEach { $0.requiresGradient = $1 }
        generator.setEvaluationMode(false)
    }
    // Row r searches for image r / restarts.
    let z = Tensor(shape: [rows, latentDimension], data: random.normal(count: rows * latentDimension), requiresGradient: true)
    let targets = Tensor(shape: [rows, observation.target(0).count],
                         data: (0..<rows).flatMap { observation.target($0 / restarts) })
    func residuals(_ latent: Tensor) -> Tensor { observation.apply(generator(latent).reshaped([rows, pixels])) - targets }
    func penalty(_ latent: Tensor) -> Tensor { (latent * latent).sum() * settings.latentPenalty }
    func weighted(_ residual: Tensor, _ weights: [Float]) -> Tensor {
        (residual * residual * Tensor(shape: residual.shape, data: weights)).sum()
    }

    switch settings.loss {
    case .squares, .medianOfMeans:
        let optimizer = Adam(parameters: [z], learningRate: settings.learningRate)
        for step in 1...settings.steps {
            optimizer.zeroGradients()
            let residual = residuals(z)
            let weights = residualWeights(residual.data, images: rows, loss: settings.loss, batches: settings.groups)
            (weighted(residual, weights) + penalty(z)).backward()
            optimizer.step()
            progress(step, settings.steps)
        }
    case .medianOfMeansMinMax:
        // Two latents (the released notebook's zf and zg), each with its own Adam: zf
        // descends on the median block of l_f - l_g, then zg ascends on the median block
        // of a fresh shuffle, i.e. descends on its own squares there.
        let rival = Tensor(shape: [rows, latentDimension], data: random.normal(count: rows * latentDimension),
                           requiresGradient: true)
        let descent = Adam(parameters: [z], learningRate: settings.learningRate)
        let ascent = Adam(parameters: [rival], learningRate: settings.learningRate)
        /// One player's step: `moving` steps on its squares in the median block of
        /// l_f - l_g (a fresh shuffle), with the other latent's residuals held fixed.
        func play(_ optimizer: Adam, moving: Tensor, against other: Tensor, movingIsF: Bool) {
            optimizer.zeroGradients()
            let fixed = GradientMode.withoutGradients { residuals(other) }
            let residual = residuals(moving)
            let weights = movingIsF
                ? minMaxWeights(residual.data, fixed.data, images: rows, batches: settings.groups, random: &random)
                : minMaxWeights(fixed.data, residual.data, images: rows, batches: settings.groups, random: &random)
            (weighted(residual, weights) + penalty(moving)).backward()
            optimizer.step()
        }
        for step in 1...settings.steps {
            play(descent, moving: z, against: rival, movingIsF: true)
            play(ascent, moving: rival, against: z, movingIsF: false)
            progress(step, settings.steps)
        }
    }

    // Each row's final loss on the measurements (min-max rows are scored by plain median of
    // means), to choose among restarts without looking at the truth.
    let (final, generated): ([Double], [Float]) = GradientMode.withoutGradients {
        let residual = residuals(z)
        let scoring: MeasurementLoss = settings.loss == .squares ? .squares : .medianOfMeans
        let weights = residualWeights(residual.data, images: rows, loss: scoring, batches: settings.groups)
        let k = residual.shape[1]
        let perRow = (0..<rows).map { r in
            (0..<k).reduce(0.0) { $0 + Double(residual.data[r * k + $1] * residual.data[r * k + $1] * weights[r * k + $1]) }
                + Double(settings.latentPenalty) * (0..<latentDimension).reduce(0.0) {
                    $0 + Double(z.data[r * latentDimension + $1] * z.data[r * latentDimension + $1])
                }
        }
        return (perRow, generator(z).data)
    }
    var result = [Float](), losses = [Double]()
    for image in 0..<images {
        let best = (0..<restarts).min { final[image * restarts + $0] < final[image * restarts + $1] }!
        let row = image * restarts + best
        result += generated[(row * pixels)..<((row + 1) * pixels)]
        losses.append(final[row])
    }
    return LatentReconstruction(images: result, finalLoss: losses)
}

/// Per-pixel mean squared error of each image against the truth on the [0, 1] scale
/// (images are stored in [-1, 1]: a quarter of the squared difference there).
public func meanSquaredErrors(_ images: [Float], truth: [Float], pixels: Int = FashionMNIST.pixels) -> [Double] {
    (0..<(truth.count / pixels)).map { i in
        (0..<pixels).reduce(0.0) { sum, p in
            let d = Double(images[i * pixels + p] - truth[i * pixels + p]) / 2
            return sum + d * d
        } / Double(pixels)
    }
}
