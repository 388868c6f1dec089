import Dispatch

/// Winograd's minimal filtering F(2x2, 3x3) for 3x3 stride-1 correlations (Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", CVPR 2016).
///
/// A 2x2 output tile of a 3x3 correlation over its 4x4 input tile d is
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
///
///     Bᵀ = | 1  0 -1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |        | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
///          | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
///          | 0  1  0 -1 |        | 0    0    1  |
///
/// so 16 multiplies replace 36. Summed over channels, the 16 elementwise products become
/// 16 GEMMs, M[ξ] = U[ξ] · V[ξ] with U[ξ] = (G g Gᵀ)[ξ] as [out x in] and V[ξ] = (Bᵀ d B)[ξ]
/// as [in x tiles]: 2.25x fewer multiply-adds than the direct convolution. The transforms
/// only add and halve, so the results differ from the direct convolution by rounding
/// (relative ~1e-6).
///
/// The weight gradient is the adjoint of the same algebra: dU[ξ] = Σ_tiles (A dY Aᵀ)[ξ] ·
/// V[ξ]ᵀ, then dg = Gᵀ dU G. The input gradient is itself a 3x3 correlation (of the output
/// gradient, zero-padded by 2, with the flipped and transposed filters), run by the same
/// forward code.
///
/// Tiles are processed in blocks of whole tile rows (about `tilesPerBlock` tiles), one
/// block at a time per core: a block's transformed input and products stay in cache, and
/// the scratch memory is a few MiB whatever the image size. Transforms run on 8 tiles at
/// once in SIMD lanes.
struct WinogradCorrelation {
    let inChannels, outChannels: Int
    /// The (already padded) input plane; the output is 2 smaller each way.
    let inputHeight, inputWidth: Int

    var outputHeight: Int { inputHeight - 2 }
    var outputWidth: Int { inputWidth - 2 }
    var inputPlane: Int { inputHeight * inputWidth }
    var outputPlane: Int { outputHeight * outputWidth }
    var tileRows: Int { (outputHeight + 1) / 2 }
    var tileColumns: Int { (outputWidth + 1) / 2 }

    static let tilesPerBlock = 256

    /// Tile rows per block: about `tilesPerBlock` tiles, and at least `minimumBlocks`
    /// blocks so that small planes still spread over a few cores. Fixed by the plane alone:
    /// OpenBLAS's dot products come out differently for GEMMs of different widths, so a
    /// split that followed the thread count would change the bits with it.
    var rowsPerBlock: Int {
        let target = max(1, Self.tilesPerBlock / tileColumns)
        return max(1, min(target, (tileRows + Self.minimumBlocks - 1) / Self.minimumBlocks))
    }
    static let minimumBlocks = 2
    var blockCount: Int { (tileRows + rowsPerBlock - 1) / rowsPerBlock }
    /// Leading dimension of the transformed matrices: the tiles of a full block.
    var blockTiles: Int { rowsPerBlock * tileColumns }

    func tileRows(ofBlock block: Int) -> Range<Int> {
        block * rowsPerBlock..<min(tileRows, (block + 1) * rowsPerBlock)
    }

    /// The filter gradient's partial sums: at most this many, however many cores run them.
    static let reductionParts = 16

    /// Multiply-adds (x2) of the direct convolution this replaces, for the GFLOP/s figures.
    var directFlops: Double { 2 * Double(outChannels * inChannels * 9 * outputPlane) }

    // MARK: Filters

    /// U[ξ] = (G g Gᵀ)[ξ] as 16 matrices [out x in], from weights [out, in, 3, 3]. With
    /// `forInputGradient`, the filters of the adjoint correlation: g'[in][out] =
    /// g[out][in] rotated by 180°, as 16 matrices [in x out].
    static func filters(_ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                        forInputGradient: Bool = false) -> [Float] {
        let pairs = outChannels * inChannels
        var result = uninitializedFloats(16 * pairs)
        result.withUnsafeMutableBufferPointer { u in
            let u = u.baseAddress!
            // One row of the U matrices per item, so that the writes run along rows.
            let rows = forInputGradient ? inChannels : outChannels, columns = forInputGradient ? outChannels : inChannels
            parallelItems(rows, costPerItem: columns * 64) { row in
                for column in 0..<columns {
                    let (o, i) = forInputGradient ? (column, row) : (row, column)
                    let position = row &* columns &+ column
                    let g = weight + (o &* inChannels &+ i) &* 9
                    var k = (g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8])
                    if forInputGradient { k = (k.8, k.7, k.6, k.5, k.4, k.3, k.2, k.1, k.0) }
                    // G g: rows r0..r3 of 3 each.
                    let r0 = (k.0, k.1, k.2), r3 = (k.6, k.7, k.8)
                    let r1 = (0.5 * (k.0 + k.3 + k.6), 0.5 * (k.1 + k.4 + k.7), 0.5 * (k.2 + k.5 + k.8))
                    let r2 = (0.5 * (k.0 - k.3 + k.6), 0.5 * (k.1 - k.4 + k.7), 0.5 * (k.2 - k.5 + k.8))
                    // (G g) Gᵀ along each row gives U's row.
                    @inline(__always) func write(_ row: (Float, Float, Float), at xi: Int) {
                        u[xi &* pairs &+ position] = row.0
                        u[(xi &+ 1) &* pairs &+ position] = 0.5 * (row.0 + row.1 + row.2)
                        u[(xi &+ 2) &* pairs &+ position] = 0.5 * (row.0 - row.1 + row.2)
                        u[(xi &+ 3) &* pairs &+ position] = row.2
                    }
                    write(r0, at: 0); write(r1, at: 4); write(r2, at: 8); write(r3, at: 12)
                }
            }
        }
        return result
    }

    /// Adds dg = Gᵀ dU G to the weight gradient [out, in, 3, 3], from dU as 16 matrices
    /// [out x in].
    static func accumulateFilterGradient(_ du: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                         into dw: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * inChannels
        parallelItems(outChannels, costPerItem: inChannels * 64) { o in
            for i in 0..<inChannels {
                let p = o &* inChannels &+ i
                @inline(__always) func d(_ xi: Int) -> Float { du[xi &* pairs &+ p] }
                let g = dw + p &* 9
                // Gᵀ dU (3 rows of 4), then each row times G.
                @inline(__always) func addRow(_ r: Int, _ a: Float, _ b: Float, _ c: Float, _ e: Float) {
                    g[3 &* r] += a + 0.5 * (b + c)
                    g[3 &* r &+ 1] += 0.5 * (b - c)
                    g[3 &* r &+ 2] += 0.5 * (b + c) + e
                }
                addRow(0, d(0) + 0.5 * (d(4) + d(8)), d(1) + 0.5 * (d(5) + d(9)),
                       d(2) + 0.5 * (d(6) + d(10)), d(3) + 0.5 * (d(7) + d(11)))
                addRow(1, 0.5 * (d(4) - d(8)), 0.5 * (d(5) - d(9)), 0.5 * (d(6) - d(10)), 0.5 * (d(7) - d(11)))
                addRow(2, 0.5 * (d(4) + d(8)) + d(12), 0.5 * (d(5) + d(9)) + d(13),
                       0.5 * (d(6) + d(10)) + d(14), 0.5 * (d(7) + d(11)) + d(15))
            }
        }
    }

    // MARK: Passes

    /// output[out, outputHeight, outputWidth] = the correlation of input[in, inputHeight,
    /// inputWidth] with the filters (`filters(_:)` layout), plus the bias.
    func correlate(_ input: UnsafePointer<Float>, filters u: UnsafePointer<Float>, bias: [Float]?,
                   output y: UnsafeMutablePointer<Float>) {
        GemmCounter.flops += directFlops
        let ldv = blockTiles
        parallelRanges(blockCount) { blocks in
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * inChannels * ldv)
            let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outChannels * ldv)
            defer { v.deallocate(); m.deallocate() }
            for block in blocks {
                let rows = tileRows(ofBlock: block)
                let tiles = rows.count * tileColumns
                transformInput(input, rows: rows, into: v, leading: ldv)
                for xi in 0..<16 {
                    serialGemm(m: outChannels, n: tiles, k: inChannels,
                               a: u + xi * outChannels * inChannels, lda: inChannels,
                               b: v + xi * inChannels * ldv, ldb: ldv, beta: 0,
                               c: m + xi * outChannels * ldv, ldc: ldv)
                }
                transformOutput(m, rows: rows, leading: ldv, bias: bias, into: y)
            }
        }
    }

    /// dU[ξ] = Σ_tiles (A dY Aᵀ)[ξ] · V[ξ]ᵀ as 16 matrices [out x in], from the input and
    /// the output's gradient dY[out, outputHeight, outputWidth]. The blocks are shared out
    /// into a fixed number of parts (`reductionParts`, or fewer when there are fewer
    /// blocks), each part sums its blocks in order, and the parts are added in order: the
    /// same sums on one core or many.
    func filterGradient(_ input: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>) -> [Float] {
        GemmCounter.flops += directFlops
        let blocks = blockCount
        let ldv = blockTiles
        let pairs = outChannels * inChannels
        let parts = min(Self.reductionParts, blocks)
        var sums = [Float](repeating: 0, count: parts * 16 * pairs)
        sums.withUnsafeMutableBufferPointer { s in
            let s = s.baseAddress!
            let perPart = (blocks + parts - 1) / parts
            forEachPart(parts) { part in
                let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * inChannels * ldv)
                let dm = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outChannels * ldv)
                defer { v.deallocate(); dm.deallocate() }
                let du = s + part * 16 * pairs
                for block in part * perPart..<min(blocks, (part + 1) * perPart) {
                    let rows = tileRows(ofBlock: block)
                    let tiles = rows.count * tileColumns
                    transformInput(input, rows: rows, into: v, leading: ldv)
                    transformOutputGradient(dy, rows: rows, into: dm, leading: ldv)
                    for xi in 0..<16 {
                        serialGemm(transposeB: true, m: outChannels, n: inChannels, k: tiles,
                                   a: dm + xi * outChannels * ldv, lda: ldv,
                                   b: v + xi * inChannels * ldv, ldb: ldv, beta: 1,
                                   c: du + xi * pairs, ldc: inChannels)
                    }
                }
            }
            for part in 1..<max(1, parts) {
                for k in 0..<16 * pairs { s[k] += s[part * 16 * pairs + k] }
            }
        }
        if parts > 1 { sums.removeLast((parts - 1) * 16 * pairs) }
        return sums
    }

    // MARK: Transforms (8 tiles of a tile row per SIMD vector)

    /// V[ξ][c][t] = (Bᵀ d B)[ξ] of every channel's tiles in `rows`; t counts the block's
    /// tiles row by row.
    private func transformInput(_ x: UnsafePointer<Float>, rows: Range<Int>,
                                into v: UnsafeMutablePointer<Float>, leading ldv: Int) {
        let matrix = inChannels &* ldv
        let fullGroups = fullLaneGroups
        for c in 0..<inChannels {
            let plane = x + c &* inputPlane
            for i in rows {
                let top = plane + 2 &* i &* inputWidth
                let inside = 2 &* i &+ 3 < inputHeight
                var j = 0
                while j < tileColumns {
                    let count = min(8, tileColumns &- j)
                    // Row a of d B for the 8 tiles j..<j+8 (d0...d3: the tiles' four columns of row a).
                    @inline(__always) func row(_ a: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                        let d0, d1, d2, d3: SIMD8<Float>
                        if inside && j < fullGroups {
                            let p = top + (a &* inputWidth &+ 2 &* j)
                            let low = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
                            let high = UnsafeRawPointer(p + 2).loadUnaligned(as: SIMD16<Float>.self)
                            d0 = low.evenHalf; d1 = low.oddHalf; d2 = high.evenHalf; d3 = high.oddHalf
                        } else {
                            (d0, d1, d2, d3) = gatherRow(plane, row: 2 &* i &+ a, firstTile: j, count: count)
                        }
                        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                    }
                    let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
                    // Bᵀ across the rows; ξ = 4 * (row of Bᵀ) + column.
                    let target = v + (c &* ldv &+ (i &- rows.lowerBound) &* tileColumns &+ j)
                    @inline(__always) func write(_ row: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), at xi: Int) {
                        store(row.0, count: count, to: target + xi &* matrix)
                        store(row.1, count: count, to: target + (xi &+ 1) &* matrix)
                        store(row.2, count: count, to: target + (xi &+ 2) &* matrix)
                        store(row.3, count: count, to: target + (xi &+ 3) &* matrix)
                    }
                    write((r0.0 - r2.0, r0.1 - r2.1, r0.2 - r2.2, r0.3 - r2.3), at: 0)
                    write((r1.0 + r2.0, r1.1 + r2.1, r1.2 + r2.2, r1.3 + r2.3), at: 4)
                    write((r2.0 - r1.0, r2.1 - r1.1, r2.2 - r1.2, r2.3 - r1.3), at: 8)
                    write((r1.0 - r3.0, r1.1 - r3.1, r1.2 - r3.2, r1.3 - r3.3), at: 12)
                    j &+= 8
                }
            }
        }
    }

    /// Tile columns below which a group of 8 tiles lies wholly inside the input row.
    private var fullLaneGroups: Int {
        // Tiles j..<j+8 read columns 2j ..< 2j+18.
        let groups = inputWidth >= 18 ? (inputWidth - 18) / 2 + 1 : 0
        return min(groups, tileColumns - 7)
    }

    /// One input row's 4 tile columns for `count` tiles from `firstTile`, zero outside.
    @inline(__always)
    private func gatherRow(_ plane: UnsafePointer<Float>, row: Int, firstTile: Int, count: Int)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        var d = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        guard row < inputHeight else { return d }
        let p = plane + row &* inputWidth
        for lane in 0..<count {
            let column = 2 &* (firstTile &+ lane)
            @inline(__always) func at(_ k: Int) -> Float { column &+ k < inputWidth ? p[column &+ k] : 0 }
            d.0[lane] = at(0); d.1[lane] = at(1); d.2[lane] = at(2); d.3[lane] = at(3)
        }
        return d
    }

    /// Y = Aᵀ M A for every output channel's tiles in `rows`, plus the bias.
    private func transformOutput(_ m: UnsafePointer<Float>, rows: Range<Int>, leading ldm: Int,
                                 bias: [Float]?, into y: UnsafeMutablePointer<Float>) {
        let matrix = outChannels &* ldm
        let evenWidth = outputWidth & ~1
        for o in 0..<outChannels {
            let b = SIMD8<Float>(repeating: bias?[o] ?? 0)
            let plane = y + o &* outputPlane
            for i in rows {
                var j = 0
                while j < tileColumns {
                    let count = min(8, tileColumns &- j)
                    let source = m + (o &* ldm &+ (i &- rows.lowerBound) &* tileColumns &+ j)
                    @inline(__always) func at(_ xi: Int) -> SIMD8<Float> {
                        count == 8 ? UnsafeRawPointer(source + xi &* matrix).loadUnaligned(as: SIMD8<Float>.self)
                                   : load(source + xi &* matrix, count: count)
                    }
                    // Aᵀ M: two rows of 4.
                    let m0 = (at(0), at(1), at(2), at(3)), m1 = (at(4), at(5), at(6), at(7))
                    let m2 = (at(8), at(9), at(10), at(11)), m3 = (at(12), at(13), at(14), at(15))
                    let s0 = (m0.0 + m1.0 + m2.0, m0.1 + m1.1 + m2.1, m0.2 + m1.2 + m2.2, m0.3 + m1.3 + m2.3)
                    let s1 = (m1.0 - m2.0 - m3.0, m1.1 - m2.1 - m3.1, m1.2 - m2.2 - m3.2, m1.3 - m2.3 - m3.3)
                    @inline(__always) func write(_ s: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), row r: Int) {
                        let outRow = 2 &* i &+ r
                        guard outRow < outputHeight else { return }
                        var pair = SIMD16<Float>()
                        pair.evenHalf = s.0 + s.1 + s.2 + b
                        pair.oddHalf = s.1 - s.2 - s.3 + b
                        let target = plane + (outRow &* outputWidth &+ 2 &* j)
                        if count == 8 && 2 &* (j &+ 8) <= evenWidth {
                            UnsafeMutableRawPointer(target).storeBytes(of: pair, as: SIMD16<Float>.self)
                        } else {
                            for k in 0..<min(2 &* count, outputWidth &- 2 &* j) { target[k] = pair[k] }
                        }
                    }
                    write(s0, row: 0)
                    write(s1, row: 1)
                    j &+= 8
                }
            }
        }
    }

    /// dM[ξ][o][t] = (A dY Aᵀ)[ξ] for every output channel's tiles in `rows` (the adjoint
    /// of `transformOutput`); dY is zero beyond the output.
    private func transformOutputGradient(_ dy: UnsafePointer<Float>, rows: Range<Int>,
                                         into dm: UnsafeMutablePointer<Float>, leading ldm: Int) {
        let matrix = outChannels &* ldm
        let evenWidth = outputWidth & ~1
        for o in 0..<outChannels {
            let plane = dy + o &* outputPlane
            for i in rows {
                var j = 0
                while j < tileColumns {
                    let count = min(8, tileColumns &- j)
                    @inline(__always) func row(_ r: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                        let outRow = 2 &* i &+ r
                        guard outRow < outputHeight else { return (SIMD8<Float>(), SIMD8<Float>()) }
                        let p = plane + (outRow &* outputWidth &+ 2 &* j)
                        if count == 8 && 2 &* (j &+ 8) <= evenWidth {
                            let pair = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
                            return (pair.evenHalf, pair.oddHalf)
                        }
                        var pair = SIMD16<Float>()
                        for k in 0..<min(2 &* count, outputWidth &- 2 &* j) { pair[k] = p[k] }
                        return (pair.evenHalf, pair.oddHalf)
                    }
                    // A dY Aᵀ with A·(p, q) = (p, p + q, p - q, -q), on rows then columns.
                    let y0 = row(0), y1 = row(1)
                    let target = dm + (o &* ldm &+ (i &- rows.lowerBound) &* tileColumns &+ j)
                    @inline(__always) func write(_ p: SIMD8<Float>, _ q: SIMD8<Float>, row a: Int) {
                        let base = target + 4 &* a &* matrix
                        store(p, count: count, to: base)
                        store(p + q, count: count, to: base + matrix)
                        store(p - q, count: count, to: base + 2 &* matrix)
                        store(-q, count: count, to: base + 3 &* matrix)
                    }
                    write(y0.0, y0.1, row: 0)
                    write(y0.0 + y1.0, y0.1 + y1.1, row: 1)
                    write(y0.0 - y1.0, y0.1 - y1.1, row: 2)
                    write(-y1.0, -y1.1, row: 3)
                    j &+= 8
                }
            }
        }
    }
}

@inline(__always)
private func store(_ value: SIMD8<Float>, count: Int, to p: UnsafeMutablePointer<Float>) {
    if count == 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    } else {
        for k in 0..<count { p[k] = value[k] }
    }
}

@inline(__always)
private func load(_ p: UnsafePointer<Float>, count: Int) -> SIMD8<Float> {
    var value = SIMD8<Float>()
    for k in 0..<count { value[k] = p[k] }
    return value
}
