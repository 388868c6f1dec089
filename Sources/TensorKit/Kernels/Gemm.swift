import CBLAS
import Dispatch

/// Counts the multiply-add work handed to BLAS, for the benchmark's GFLOP/s figures.
public enum GemmCounter {
    nonisolated(unsafe) public static var flops: Double = 0
}

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, with
/// op(A) of size m x k and op(B) of size k x n.
@inline(__always)
func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // BLAS leaves C untouched for k = 0 only when beta = 1; make beta = 0 explicit.
        if beta != 1 {
            for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
        }
        return
    }
    GemmCounter.flops += 2 * Double(m) * Double(n) * Double(k)
    let ta = transposeA ? CblasTrans : CblasNoTrans, tb = transposeB ? CblasTrans : CblasNoTrans
    // OpenBLAS runs single-threaded (see `Threads`); the cores split C into column or row
    // blocks here instead. Its own workers spin in sched_yield between calls and starve
    // the elementwise kernels on a 2-core machine; this way one pool serves both. The
    // blocks are fixed by the shape alone (`Threads.gemmParts`): OpenBLAS's sums come out
    // differently for sub-matrices of other shapes, so a split that followed the thread
    // count would change the bits with it.
    let parts = min(Threads.gemmParts, Int(2 * Double(m) * Double(n) * Double(k) / 4e6))
    if parts <= 1 {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
        return
    }
    if n >= m {
        // Column blocks of C (and of op(B)), multiples of 16 for the kernel's panels.
        let block = ((n + parts - 1) / parts + 15) / 16 * 16
        forEachPart(parts) { part in
            let start = part * block
            let width = min(n, start + block) - start
            guard width > 0 else { return }
            let bStart = transposeB ? b + start * ldb : b + start
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(width), Int32(k), alpha, a, Int32(lda),
                        bStart, Int32(ldb), beta, c + start, Int32(ldc))
        }
    } else {
        // Row blocks of C (and of op(A)).
        let block = ((m + parts - 1) / parts + 7) / 8 * 8
        forEachPart(parts) { part in
            let start = part * block
            let height = min(m, start + block) - start
            guard height > 0 else { return }
            let aStart = transposeA ? a + start : a + start * lda
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(height), Int32(n), Int32(k), alpha, aStart, Int32(lda),
                        b, Int32(ldb), beta, c + start * ldc, Int32(ldc))
        }
    }
}

/// Single-threaded GEMM for callers that already split the work over the cores.
@inline(__always)
func serialGemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0, k > 0 else { return }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Splits `0..<count` into at most `Threads.gemmParts` contiguous ranges, fixed by
/// `count` and `granularity` alone (the GEMMs each range runs have the same shapes on any
/// number of cores), and runs them on up to `Threads.count` threads.
@inline(__always)
func parallelRanges(_ count: Int, granularity: Int = 1, _ body: (Range<Int>) -> Void) {
    let units = (count + granularity - 1) / granularity
    let parts = max(1, min(Threads.gemmParts, units))
    if parts == 1 {
        body(0..<count)
        return
    }
    let per = (units + parts - 1) / parts * granularity
    forEachPart(parts) { part in
        let start = part * per
        let end = min(count, start + per)
        if start < end { body(start..<end) }
    }
}

/// Splits an output of `rows` x `columns` (columns in blocks of `columnBlock`) into tiles
/// and runs `body(rows, columns)` on each. Column ranges when the blocks share out evenly
/// over `Threads.gemmParts`; otherwise (the hourglass's small scales have one to three
/// column blocks) row ranges in multiples of 8, all columns each. The split depends only
/// on the sizes, never on the thread count.
@inline(__always)
func parallelTiles(rows: Int, columns: Int, columnBlock: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
    let parts = Threads.gemmParts
    let units = (columns + columnBlock - 1) / columnBlock
    if rows < 16 || units >= 4 * parts || units % parts == 0 {
        parallelRanges(columns, granularity: columnBlock) { body(0..<rows, $0) }
    } else {
        parallelRanges(rows, granularity: 8) { body($0, 0..<columns) }
    }
}
