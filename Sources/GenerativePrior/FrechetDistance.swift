import CBLAS
import Foundation

/// The Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al.
/// 2017, FID when the features are Inception's): |μ1 - μ2|² + Tr(Σ1 + Σ2 - 2 (Σ1 Σ2)^½).
/// Tr (Σ1 Σ2)^½ is computed as Σ √λ over the eigenvalues of the symmetric Σ1^½ Σ2 Σ1^½,
/// which has the same spectrum, with LAPACK's `dsyev` (through OpenBLAS).
public enum FrechetDistance {
    public static func between(_ a: [[Double]], _ b: [[Double]]) -> Double {
        precondition(a.count > 1 && b.count > 1, "a Fréchet distance needs two sets of at least two vectors")
        let (muA, covA) = moments(a), (muB, covB) = moments(b)
        return distance(meanA: muA, covarianceA: covA, meanB: muB, covarianceB: covB)
    }

    /// The distance between N(meanA, covarianceA) and N(meanB, covarianceB), the
    /// covariances row-major d x d.
    public static func distance(meanA muA: [Double], covarianceA covA: [Double], meanB muB: [Double],
                                covarianceB covB: [Double]) -> Double {
        let d = muA.count
        precondition(muB.count == d && covA.count == d * d && covB.count == d * d, "Fréchet distance: sizes differ")
        let meanTerm = zip(muA, muB).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let rootA = symmetricSquareRoot(covA, d)
        let product = multiply(multiply(rootA, covB, d), rootA, d)
        let traceRoot = symmetricEigenvalues(product, d).reduce(0) { $0 + max($1, 0).squareRoot() }
        let traces = (0..<d).reduce(0) { $0 + covA[$1 * d + $1] + covB[$1 * d + $1] }
        return max(0, meanTerm + traces - 2 * traceRoot)
    }

    /// Mean and unbiased covariance (row-major d x d).
    static func moments(_ vectors: [[Double]]) -> ([Double], [Double]) {
        let n = Double(vectors.count), d = vectors[0].count
        var mean = [Double](repeating: 0, count: d)
        for v in vectors { for j in 0..<d { mean[j] += v[j] / n } }
        var covariance = [Double](repeating: 0, count: d * d)
        for v in vectors {
            for i in 0..<d {
                let di = v[i] - mean[i]
                for j in i..<d { covariance[i * d + j] += di * (v[j] - mean[j]) }
            }
        }
        for i in 0..<d {
            for j in i..<d {
                covariance[i * d + j] /= n - 1
                covariance[j * d + i] = covariance[i * d + j]
            }
        }
        return (mean, covariance)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d), 1, a, Int32(d), b, Int32(d),
                    0, &c, Int32(d))
        return c
    }

    /// Eigen-decomposition of a symmetric matrix: eigenvalues ascending and, with
    /// `vectors`, the eigenvectors as the columns of a row-major matrix.
    static func eigen(_ matrix: [Double], _ d: Int, vectors: Bool) -> (values: [Double], vectors: [Double]) {
        // LAPACK is column-major; a symmetric matrix is its own transpose. Its eigenvector
        // matrix comes back column-major, i.e. as the row-major transpose.
        var a = matrix, w = [Double](repeating: 0, count: d)
        var n = Int32(d), lda = Int32(d), info: Int32 = 0, lwork: Int32 = -1, query = 0.0
        let job: [CChar] = [vectors ? 86 : 78, 0], upper: [CChar] = [85, 0]  // "V" or "N", "U"
        dsyev_(job, upper, &n, &a, &lda, &w, &query, &lwork, &info)
        lwork = Int32(query)
        var work = [Double](repeating: 0, count: max(1, Int(lwork)))
        dsyev_(job, upper, &n, &a, &lda, &w, &work, &lwork, &info)
        precondition(info == 0, "dsyev failed with info \(info)")
        var columns = [Double](repeating: 0, count: vectors ? d * d : 0)
        if vectors { for i in 0..<d { for j in 0..<d { columns[i * d + j] = a[j * d + i] } } }
        return (w, columns)
    }

    static func symmetricEigenvalues(_ matrix: [Double], _ d: Int) -> [Double] { eigen(matrix, d, vectors: false).values }

    /// V diag(√max(λ, 0)) Vᵀ.
    static func symmetricSquareRoot(_ matrix: [Double], _ d: Int) -> [Double] {
        let (values, v) = eigen(matrix, d, vectors: true)
        var scaled = v
        for i in 0..<d { for j in 0..<d { scaled[i * d + j] *= max(values[j], 0).squareRoot() } }
        var result = [Double](repeating: 0, count: d * d)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(d), Int32(d), Int32(d), 1, scaled, Int32(d), v, Int32(d),
                    0, &result, Int32(d))
        return result
    }
}
