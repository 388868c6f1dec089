import CBLAS
import CSupport
import Dispatch
import Foundation
import Store

/// Thread settings shared by the elementwise kernels and OpenBLAS.
///
/// Results are bit-identical for a given seed on any number of threads: every cut of the
/// work is fixed by the problem size alone, never by the thread count. Elementwise
/// chunks are whole SIMD blocks; GEMMs are cut into at most `gemmParts` blocks; split
/// reductions (the Winograd and thin 1x1 weight gradients) sum fixed parts in order; and
/// `forEachPart` shares the parts out over however many threads there are. `ThreadCountTests` checks checkpoints and evaluations on
/// 1, 2 and 3 threads byte for byte.
public enum Threads {
    nonisolated(unsafe) private static var configured: Int = {
        let count = ThreadSetting.requested
        openblas_set_num_threads(1)
        keepFreedMemory()
        return count
    }()

    /// Worker threads for kernels and GEMM blocks (OpenBLAS itself runs single-threaded) (default: all cores, or `LIP_THREADS`).
    public static var count: Int {
        get { configured }
        set {
            configured = max(1, newValue)
        }
    }

    /// The most parts a GEMM (or a run of GEMMs over row or column ranges) is cut into,
    /// whatever the thread count: the cut decides the shapes OpenBLAS sees, and with them
    /// the bits of its sums (a 64-row GEMM and two of 32 rows differ in the last bits).
    /// Two threads share a GEMM; more speed up the elementwise kernels only, so scale out
    /// with workers (`--executor local --jobs`, Slurm arrays). Four parts made a 2-thread
    /// step at 64 px 1.45x slower (each row part packs the whole input again).
    public static let gemmParts = 2

    /// OpenBLAS's kernel family for this CPU (e.g. "Zen", "Haswell").
    public static var blasCore: String {
        _ = count
        return String(cString: openblas_get_corename())
    }

    /// OpenBLAS's build configuration string.
    public static var blasConfig: String { String(cString: openblas_get_config()) }
}

extension Provenance {
    /// The facts now, with this engine's BLAS core and thread count.
    public static func current(directory: String = FileManager.default.currentDirectoryPath) -> Provenance {
        current(blasCore: Threads.blasCore, threads: Threads.count, directory: directory)
    }
}

/// Training allocates and frees the same large activations every step. glibc would
/// serve each from fresh mmap pages (page faults and kernel zeroing: ~12 % of a step);
/// keeping freed memory in the heap lets the next step reuse it.
private func keepFreedMemory() {
    lip_keep_freed_memory()
}

/// Runs `body(range)` over `0..<count` split into contiguous chunks, in parallel when the
/// work is large enough to pay for the threads.
@inline(__always)
func parallelChunks(_ count: Int, minimumChunk: Int = 16_384, _ body: (Range<Int>) -> Void) {
    let threads = Threads.count
    let chunks = min(threads, max(1, count / minimumChunk))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    // Chunks of whole SIMD blocks: every element takes the same (vector or scalar tail)
    // path of `body` on any number of threads, so the bits do not depend on the count.
    let size = ((count + chunks - 1) / chunks + 63) / 64 * 64
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * size
        let end = min(count, start + size)
        if start < end { body(start..<end) }
    }
}

/// Runs `body(part)` for each of `parts` parts on at most `Threads.count` threads. A
/// reduction split into a fixed number of parts, each summed into its own buffer and
/// the buffers added in order, gives the same bits on any number of cores.
func forEachPart(_ parts: Int, _ body: (Int) -> Void) {
    let workers = min(Threads.count, parts)
    if workers <= 1 {
        for part in 0..<parts { body(part) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var part = worker
        while part < parts {
            body(part)
            part += workers
        }
    }
}

/// Runs `body(i)` for each of `count` independent items (channels, rows), in parallel
/// when `count * costPerItem` is large enough.
@inline(__always)
func parallelItems(_ count: Int, costPerItem: Int, _ body: (Int) -> Void) {
    let threads = Threads.count
    if threads <= 1 || count < 2 || count * costPerItem < 32_768 {
        for i in 0..<count { body(i) }
        return
    }
    let chunks = min(threads, count)
    let size = (count + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * size
        let end = min(count, start + size)
        for i in start..<end { body(i) }
    }
}
