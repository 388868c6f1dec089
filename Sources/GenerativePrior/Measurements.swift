import Foundation
import TensorKit

/// Linear measurements y = A x + noise of flattened 28x28 images (n = 784), as in
/// compressed sensing with generative models (Bora, Jalal, Price and Dimakis 2017) and
/// its robust version (Jalal, Karmalkar, Dimakis and Price 2020, the released code of
/// `csgm-robust-neurips`).
///
/// A has m Gaussian rows A_ij ~ N(0, 1/m); in the robust setting `outliers` of them, at
/// random positions, are replaced by rows of ones whose measurements read `outlierValue`
/// whatever the image (the released notebook: 20 such rows with y = 10000 among
/// m = 1000). The positions matter to median of means: outlier rows placed together would
/// share one group and flatter it.
public struct MeasurementDesign: Codable, Equatable, Sendable {
    public var measurements: Int
    public var noiseStd: Float
    public var outliers: Int
    public var outlierValue: Float

    public init(measurements: Int, noiseStd: Float = 0.01, outliers: Int = 0, outlierValue: Float = 10_000) {
        self.measurements = measurements
        self.noiseStd = noiseStd
        self.outliers = outliers
        self.outlierValue = outlierValue
    }
}

/// One design drawn: the matrix, and each image's measurements.
public struct MeasuredImages {
    public let design: MeasurementDesign
    /// A as [m, n], row-major.
    public let matrix: Tensor
    /// y as [images, m].
    public let observations: Tensor
    /// The images measured, [images, n] in [-1, 1] (for scoring only).
    public let truth: [Float]
    /// The rows of A that are outliers, ascending.
    public let outlierRows: [Int]
    public var count: Int { observations.shape[0] }

    /// Draws A and the noise from `random`; `images` are flattened [count, n].
    public init(design: MeasurementDesign, images: [Float], pixels: Int = FashionMNIST.pixels, random: inout RandomSource) {
        precondition(design.measurements > design.outliers && images.count % pixels == 0)
        let m = design.measurements, count = images.count / pixels
        // Draws in the order A, noise, outlier positions: designs without outliers draw
        // exactly what they drew before the positions were random.
        var a = random.normal(count: m * pixels, std: 1 / Float(m).squareRoot())
        let noise = random.normal(count: count * m, std: design.noiseStd)
        let outlierRows = design.outliers > 0 ? random.permutation(m).prefix(design.outliers).sorted() : []
        for row in outlierRows { for j in 0..<pixels { a[row * pixels + j] = 1 } }
        let matrix = Tensor(shape: [m, pixels], data: a)
        var y = GradientMode.withoutGradients { linear(Tensor(shape: [count, pixels], data: images), weight: matrix) }.data
        for i in 0..<y.count { y[i] += noise[i] }
        for image in 0..<count { for row in outlierRows { y[image * m + row] = design.outlierValue } }
        self.outlierRows = outlierRows
        self.design = design
        self.matrix = matrix
        observations = Tensor(shape: [count, m], data: y)
        truth = images
    }
}

/// How a reconstruction weighs the residuals r = A x - y of each image.
public enum MeasurementLoss: String, Codable, Sendable, CaseIterable {
    /// ||r||², the loss of Bora et al.
    case squares
    /// Median of means (Jalal et al. 2020): the m residuals are split into `batches`
    /// consecutive groups, and only the group whose mean square is the median counts at
    /// each step. A few wild rows then move the median group hardly at all.
    case medianOfMeans = "mom"
    /// The min-max form of median of means in the released code (`mom_sga_pgan.ipynb`,
    /// `Eval_sparse_PGAN_on_CS.py`, after Jalal et al. 2020): a second latent z_g plays
    /// against z_f. Each step, z_f descends on the block with the median mean of l_f - l_g
    /// (l = squared residual) of a fresh shuffle of the rows into blocks; then z_g ascends
    /// on the median block of a shuffle of its own (`minMaxWeights`). Both carry the
    /// latent penalty λ‖z‖². The reconstruction is G(z_f).
    case medianOfMeansMinMax = "mom-minmax"
}

/// Per image, the weight of each squared residual in the loss: 1 everywhere for squares;
/// for median of means, 1/|group| on the median group (lower median) and 0 elsewhere
/// (min-max searches are scored by these fixed groups too).
/// Each image's weights sum to m for squares and to 1 for MOM, so compare losses within
/// one kind only.
public func residualWeights(_ residuals: [Float], images: Int, loss: MeasurementLoss, batches: Int) -> [Float] {
    let m = residuals.count / images
    switch loss {
    case .squares:
        return [Float](repeating: 1, count: residuals.count)
    case .medianOfMeans, .medianOfMeansMinMax:
        precondition(batches >= 1 && batches <= m, "median of means needs 1 to m groups")
        var weights = [Float](repeating: 0, count: residuals.count)
        let bounds = (0...batches).map { $0 * m / batches }
        for image in 0..<images {
            let means = (0..<batches).map { g in
                (bounds[g]..<bounds[g + 1]).reduce(0.0) { $0 + Double(residuals[image * m + $1] * residuals[image * m + $1]) }
                    / Double(bounds[g + 1] - bounds[g])
            }
            let median = means.indices.sorted { means[$0] < means[$1] }[(batches - 1) / 2]
            let size = Float(bounds[median + 1] - bounds[median])
            for i in bounds[median]..<bounds[median + 1] { weights[image * m + i] = 1 / size }
        }
        return weights
    }
}

/// The min-max step's weights, per image: the m rows in a fresh random order, cut into
/// `batches` blocks of m / batches rows (the last m mod batches rows of the order sit
/// out, as in the released `mom_obj`); the block whose mean of `first² - second²` is the
/// median (the upper one, `argsort(...)[count // 2]` there) gets 1/|block| per row, every
/// other row 0. `first` and `second` are the residuals of z_f and z_g, [images, m].
public func minMaxWeights(_ first: [Float], _ second: [Float], images: Int, batches: Int,
                          random: inout RandomSource) -> [Float] {
    let m = first.count / images
    precondition(batches >= 1 && batches <= m && second.count == first.count, "min-max median of means needs 1 to m blocks")
    let size = m / batches
    var weights = [Float](repeating: 0, count: first.count)
    for image in 0..<images {
        let order = random.permutation(m).map { image * m + $0 }
        let means = (0..<batches).map { b in
            order[(b * size)..<((b + 1) * size)].reduce(0.0) {
                $0 + Double(first[$1] * first[$1] - second[$1] * second[$1])
            } / Double(size)
        }
        let median = means.indices.sorted { means[$0] < means[$1] }[batches / 2]
        for row in order[(median * size)..<((median + 1) * size)] { weights[row] = 1 / Float(size) }
    }
    return weights
}
