import Foundation
import TensorKit

/// Linear measurements y = A x + noise of flattened 28x28 images (n = 784), as in
/// compressed sensing with generative models (Bora, Jalal, Price and Dimakis 2017) and
/// its robust version (Jalal, Karmalkar, Dimakis and Price 2020, the released code of
/// `csgm-robust-neurips`).
///
/// A has m Gaussian rows A_ij ~ N(0, 1/m); in the robust setting the last `outliers` rows
/// are replaced by rows of ones whose measurements read `outlierValue` whatever the image
/// (the released notebook: 20 such rows with y = 10000 among m = 1000).
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
    public var count: Int { observations.shape[0] }

    /// Draws A and the noise from `random`; `images` are flattened [count, n].
    public init(design: MeasurementDesign, images: [Float], pixels: Int = FashionMNIST.pixels, random: inout RandomSource) {
        precondition(design.measurements > design.outliers && images.count % pixels == 0)
        let m = design.measurements, count = images.count / pixels
        var a = random.normal(count: m * pixels, std: 1 / Float(m).squareRoot())
        for row in (m - design.outliers)..<m { for j in 0..<pixels { a[row * pixels + j] = 1 } }
        let matrix = Tensor(shape: [m, pixels], data: a)
        var y = GradientMode.withoutGradients { linear(Tensor(shape: [count, pixels], data: images), weight: matrix) }.data
        let noise = random.normal(count: count * m, std: design.noiseStd)
        for i in 0..<y.count { y[i] += noise[i] }
        for image in 0..<count { for row in (m - design.outliers)..<m { y[image * m + row] = design.outlierValue } }
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
}

/// Per image, the weight of each squared residual in the loss: 1 everywhere for squares;
/// for median of means, 1/|group| on the median group (lower median) and 0 elsewhere.
/// Each image's weights sum to m for squares and to 1 for MOM, so compare losses within
/// one kind only.
public func residualWeights(_ residuals: [Float], images: Int, loss: MeasurementLoss, batches: Int) -> [Float] {
    let m = residuals.count / images
    switch loss {
    case .squares:
        return [Float](repeating: 1, count: residuals.count)
    case .medianOfMeans:
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
