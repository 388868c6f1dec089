import CBLAS
import Foundation

/// The baselines a generative prior is measured against: Lasso in the 2-D DCT basis
/// (the sparsity prior of classical compressed sensing, Bora et al.'s "Lasso (DCT)"),
/// solved by FISTA, and the least-norm solution of A x = y.
public enum SparseRecovery {
    /// The orthonormal DCT-II matrix of size N (rows are frequencies):
    /// C[k, i] = α_k cos(π (2i + 1) k / 2N), α_0 = √(1/N), α_k = √(2/N).
    public static func dctMatrix(_ size: Int) -> [Double] {
        var c = [Double](repeating: 0, count: size * size)
        for k in 0..<size {
            let alpha = (k == 0 ? 1.0 : 2.0) / Double(size)
            for i in 0..<size {
                c[k * size + i] = alpha.squareRoot() * cos(Double.pi * Double(2 * i + 1) * Double(k) / Double(2 * size))
            }
        }
        return c
    }

    /// The inverse 2-D DCT of a side x side image as an n x n matrix Ψ (x = Ψ c, both
    /// flattened row-major): Ψ[(i, j), (k, l)] = C[k, i] C[l, j].
    public static func inverseDCT2(side: Int) -> [Double] {
        let c = dctMatrix(side), n = side * side
        var psi = [Double](repeating: 0, count: n * n)
        for i in 0..<side { for j in 0..<side { for k in 0..<side { for l in 0..<side {
            psi[(i * side + j) * n + k * side + l] = c[k * side + i] * c[l * side + j]
        } } } }
        return psi
    }

    /// FISTA (Beck and Teboulle 2009) for min_c ½||B c - y||² + λ||c||₁, B = m x n
    /// row-major, from c = 0 with step 1/L, L = ||B||₂² (by power iteration).
    public static func fista(_ b: [Double], rows m: Int, columns n: Int, y: [Double], penalty lambda: Double,
                             iterations: Int = 500, lipschitz known: Double? = nil) -> [Double] {
        let lipschitz = known ?? largestSingularValue(b, rows: m, columns: n).squared * 1.0001
        var c = [Double](repeating: 0, count: n), previous = c, momentum = c
        var t = 1.0
        var residual = [Double](repeating: 0, count: m), gradient = [Double](repeating: 0, count: n)
        for _ in 0..<iterations {
            // residual = B momentum - y; gradient = Bᵀ residual
            residual = y.map { -$0 }
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, b, Int32(n), momentum, 1, 1, &residual, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, b, Int32(n), residual, 1, 0, &gradient, 1)
            previous = c
            let threshold = lambda / lipschitz
            for j in 0..<n {
                let v = momentum[j] - gradient[j] / lipschitz
                c[j] = v > threshold ? v - threshold : (v < -threshold ? v + threshold : 0)
            }
            let next = (1 + (1 + 4 * t * t).squareRoot()) / 2
            for j in 0..<n { momentum[j] = c[j] + (t - 1) / next * (c[j] - previous[j]) }
            t = next
        }
        return c
    }

    /// σ_max(B) by 100 power iterations on BᵀB from a fixed start.
    static func largestSingularValue(_ b: [Double], rows m: Int, columns n: Int) -> Double {
        var v = (0..<n).map { 1 + 0.01 * Double($0 % 7) }
        var u = [Double](repeating: 0, count: m)
        var norm = 0.0
        for _ in 0..<100 {
            let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / length }
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, b, Int32(n), v, 1, 0, &u, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, b, Int32(n), u, 1, 0, &v, 1)
            norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot().squareRoot()
        }
        return norm
    }

    /// Lasso in the DCT basis for one matrix A (m x n, row-major): B = A Ψ and its
    /// Lipschitz constant once, then x = Ψ c* with c* = FISTA(B, y, λ) per observation.
    public struct LassoDCT {
        let b: [Double], psi: [Double]
        let rows: Int, n: Int
        let lipschitz: Double

        public init(matrix: [Float], rows m: Int, side: Int) {
            n = side * side
            rows = m
            psi = SparseRecovery.inverseDCT2(side: side)
            var b = [Double](repeating: 0, count: m * n)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(n), 1, matrix.map(Double.init),
                        Int32(n), psi, Int32(n), 0, &b, Int32(n))
            self.b = b
            lipschitz = SparseRecovery.largestSingularValue(b, rows: m, columns: n).squared * 1.0001
        }

        public func solve(_ y: [Float], penalty: Double, iterations: Int = 500) -> [Float] {
            let c = SparseRecovery.fista(b, rows: rows, columns: n, y: y.map(Double.init), penalty: penalty,
                                         iterations: iterations, lipschitz: lipschitz)
            var x = [Double](repeating: 0, count: n)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), 1, psi, Int32(n), c, 1, 0, &x, 1)
            return x.map { Float($0) }
        }
    }

    /// The least-norm x with A x = y for one matrix A: Aᵀ (A Aᵀ)⁻¹ y, the inverse through
    /// the eigen-decomposition of A Aᵀ, once (eigenvalues below 1e-10 of the largest are
    /// dropped).
    public struct LeastNorm {
        let a: [Double], values: [Double], vectors: [Double]
        let rows: Int, columns: Int

        public init(matrix: [Float], rows m: Int, columns n: Int) {
            a = matrix.map(Double.init)
            rows = m
            columns = n
            var gram = [Double](repeating: 0, count: m * m)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(m), Int32(n), 1, a, Int32(n), a, Int32(n),
                        0, &gram, Int32(m))
            (values, vectors) = FrechetDistance.eigen(gram, m, vectors: true)
        }

        public func solve(_ y: [Float]) -> [Float] {
            let m = rows, n = columns
            let cutoff = (values.max() ?? 0) * 1e-10
            // w = V Λ⁻¹ Vᵀ y, x = Aᵀ w
            var projected = [Double](repeating: 0, count: m)
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(m), 1, vectors, Int32(m), y.map(Double.init), 1, 0, &projected, 1)
            for k in 0..<m { projected[k] = values[k] > cutoff ? projected[k] / values[k] : 0 }
            var w = [Double](repeating: 0, count: m)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(m), 1, vectors, Int32(m), projected, 1, 0, &w, 1)
            var x = [Double](repeating: 0, count: n)
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, a, Int32(n), w, 1, 0, &x, 1)
            return x.map { Float($0) }
        }
    }

    /// One-off forms of the two solvers.
    public static func lassoDCT(matrix: [Float], rows m: Int, side: Int, y: [Float], penalty: Double,
                                iterations: Int = 500) -> [Float] {
        LassoDCT(matrix: matrix, rows: m, side: side).solve(y, penalty: penalty, iterations: iterations)
    }

    public static func leastNorm(matrix: [Float], rows m: Int, columns n: Int, y: [Float]) -> [Float] {
        LeastNorm(matrix: matrix, rows: m, columns: n).solve(y)
    }
}

extension Double {
    var squared: Double { self * self }
}
