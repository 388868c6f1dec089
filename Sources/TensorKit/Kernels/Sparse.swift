/// Kernels for convolutions with pruned (masked) weights. A lottery ticket at 89 %
/// sparsity keeps one weight in nine; dense GEMMs would still do all the work (PyTorch
/// does), so these do only the kept multiply-adds.
///
/// Both are "gather" kernels over a sparse matrix whose entries point into a source
/// buffer at an offset: out[r, n] = sum_k value_k * source[offset_k + n]. With offsets
/// i * plane + tap offset this is a stride-1 convolution over the padded input (all
/// taps at once); with (i * taps + t) * plane it multiplies im2col columns.

/// Which columns a gather computes: `segments` runs of `length` columns, the s-th reading
/// the source from `s * sourceStride` and writing the output from `s * outputStride`.
/// One contiguous run is the plain case; one run per image row lets a stride-1
/// convolution over a padded input write an unpadded output directly.
struct GatherColumns {
    let segments: Int, length: Int, sourceStride: Int, outputStride: Int

    static func contiguous(_ count: Int) -> GatherColumns {
        GatherColumns(segments: 1, length: count, sourceStride: 0, outputStride: 0)
    }
}

/// Where a gather's source channels lie, so that it can work through them in groups whose
/// window fits in L1: channel c's entries read `source[c * stride + …]`, over `rows`
/// stretches of about a column block each (the kernel's height for a convolution's
/// shifted rows, 1 for im2col rows).
struct GatherChannels {
    let stride: Int, rows: Int
}

/// Bytes of source window that one channel group of `gatherRows` may span per column
/// block: half of Zen 2's 32 KiB L1, the rest for the output block and the entries.
let gatherWindowBudget = 16 * 1024

/// out[r * outStride + n] = initial[r] + Σ_{k in row r} values[k] * source[offsets[k] + n]
/// for the columns n of `columns` (initial 0 when nil).
///
/// Output-stationary: 64 outputs of a row accumulate in registers across the row's
/// entries, so each entry costs one load and one FMA per 8 outputs. Those loads are the
/// limit, and at a tenth of the weights kept they would mostly miss L1: every output row
/// reads ~100 stretches scattered over all input channels. So the entries are taken in
/// groups of input channels whose window of a column block fits in L1 (`channels`), and
/// every output row of a thread runs the group before the next one starts; an output
/// block is stored and reloaded between groups. Within a group the entries keep their
/// order (for a convolution's forward pass that is the order of a single sweep, so the
/// sums are the same).
func gatherRows(rowStart: UnsafePointer<Int>, offsets: UnsafePointer<Int>, values: UnsafePointer<Float>, rows: Int,
                source: UnsafePointer<Float>, columns: GatherColumns, output: UnsafeMutablePointer<Float>, outStride: Int,
                initial: UnsafePointer<Float>? = nil, channels: GatherChannels? = nil) {
    let block = 64
    // Runs every row's entries, group by group: group g of row r is
    // entries[groupStart[r * groupCount + g] ..< groupStart[r * groupCount + g + 1]].
    func sweep(groupStart: UnsafePointer<Int>, groupCount: Int, offsets: UnsafePointer<Int>, values: UnsafePointer<Float>) {
        parallelRanges(rows, granularity: 4) { range in
            for segment in 0..<columns.segments {
                let src = source + segment &* columns.sourceStride
                let dst = output + segment &* columns.outputStride
                var blockStart = 0
                while blockStart < columns.length {
                    let blockEnd = min(columns.length, blockStart &+ block)
                    for group in 0..<groupCount {
                        for r in range {
                            let slot = r &* groupCount &+ group
                            let begin = groupStart[slot], end = groupStart[slot &+ 1]
                            if group > 0 && begin == end { continue }
                            gatherBlock(entries: begin..<end, offsets: offsets, values: values, source: src,
                                        columns: blockStart..<blockEnd, output: dst + r &* outStride,
                                        start: group == 0 ? initial?[r] ?? 0 : nil)
                        }
                    }
                    blockStart = blockEnd
                }
            }
        }
    }
    let groupStride = channels.map { max(1, gatherWindowBudget / ($0.rows * (block + 8) * 4)) * $0.stride } ?? Int.max
    var groupCount = 1
    for k in rowStart[0]..<rowStart[rows] where offsets[k] / groupStride + 1 > groupCount {
        groupCount = offsets[k] / groupStride + 1
    }
    if groupCount == 1 {
        sweep(groupStart: rowStart, groupCount: 1, offsets: offsets, values: values)
        return
    }
    // Entries by (row, channel group), each group in the row's order: a stable bucket sort.
    let entries = rowStart[rows] - rowStart[0]
    var groupStart = [Int](repeating: 0, count: rows * groupCount + 1)
    var sortedOffsets = [Int](repeating: 0, count: entries), sortedValues = [Float](repeating: 0, count: entries)
    for r in 0..<rows {
        let base = r * groupCount
        for k in rowStart[r]..<rowStart[r + 1] { groupStart[base + offsets[k] / groupStride + 1] += 1 }
    }
    for g in 0..<(rows * groupCount) { groupStart[g + 1] += groupStart[g] }
    var fill = groupStart
    for r in 0..<rows {
        for k in rowStart[r]..<rowStart[r + 1] {
            let slot = r * groupCount + offsets[k] / groupStride
            sortedOffsets[fill[slot]] = offsets[k]
            sortedValues[fill[slot]] = values[k]
            fill[slot] += 1
        }
    }
    groupStart.withUnsafeBufferPointer { gs in
        sortedOffsets.withUnsafeBufferPointer { ob in
            sortedValues.withUnsafeBufferPointer { vb in
                sweep(groupStart: gs.baseAddress!, groupCount: groupCount, offsets: ob.baseAddress!, values: vb.baseAddress!)
            }
        }
    }
}

/// out[n] = (start, or out[n] itself when nil) + Σ_k values[k] * source[offsets[k] + n]
/// over the columns n (at most 64 of them).
@inline(__always)
private func gatherBlock(entries: Range<Int>, offsets: UnsafePointer<Int>, values: UnsafePointer<Float>,
                         source: UnsafePointer<Float>, columns: Range<Int>, output out: UnsafeMutablePointer<Float>,
                         start: Float?) {
    var n = columns.lowerBound
    let end = columns.upperBound
    if n &+ 64 <= end {
        let o = UnsafeMutableRawPointer(out + n)
        var a0: SIMD8<Float>, a1: SIMD8<Float>, a2: SIMD8<Float>, a3: SIMD8<Float>
        var a4: SIMD8<Float>, a5: SIMD8<Float>, a6: SIMD8<Float>, a7: SIMD8<Float>
        if let start {
            a0 = SIMD8(repeating: start); a1 = a0; a2 = a0; a3 = a0; a4 = a0; a5 = a0; a6 = a0; a7 = a0
        } else {
            a0 = o.loadUnaligned(as: SIMD8<Float>.self)
            a1 = o.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            a2 = o.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            a3 = o.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            a4 = o.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self)
            a5 = o.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self)
            a6 = o.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self)
            a7 = o.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self)
        }
        var k = entries.lowerBound
        while k < entries.upperBound {
            let w = SIMD8<Float>(repeating: values[k])
            let p = UnsafeRawPointer(source + (offsets[k] &+ n))
            a0.addProduct(w, p.loadUnaligned(as: SIMD8<Float>.self))
            a1.addProduct(w, p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
            a2.addProduct(w, p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
            a3.addProduct(w, p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
            a4.addProduct(w, p.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self))
            a5.addProduct(w, p.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self))
            a6.addProduct(w, p.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self))
            a7.addProduct(w, p.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self))
            k &+= 1
        }
        o.storeBytes(of: a0, as: SIMD8<Float>.self)
        o.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self)
        o.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self)
        o.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self)
        o.storeBytes(of: a4, toByteOffset: 128, as: SIMD8<Float>.self)
        o.storeBytes(of: a5, toByteOffset: 160, as: SIMD8<Float>.self)
        o.storeBytes(of: a6, toByteOffset: 192, as: SIMD8<Float>.self)
        o.storeBytes(of: a7, toByteOffset: 224, as: SIMD8<Float>.self)
        n &+= 64
    }
    while n &+ 8 <= end {
        let o = UnsafeMutableRawPointer(out + n)
        var a = start.map { SIMD8<Float>(repeating: $0) } ?? o.loadUnaligned(as: SIMD8<Float>.self)
        for k in entries {
            a.addProduct(SIMD8<Float>(repeating: values[k]),
                         UnsafeRawPointer(source + (offsets[k] &+ n)).loadUnaligned(as: SIMD8<Float>.self))
        }
        o.storeBytes(of: a, as: SIMD8<Float>.self)
        n &+= 8
    }
    while n < end {
        var total = start ?? out[n]
        for k in entries { total += values[k] * source[offsets[k] &+ n] }
        out[n] = total
        n &+= 1
    }
}

/// gradient[index[k]] += Σ_n rowsOf(r)[n] * source[offsets[k] + n] for every entry k of
/// row r: the weight gradient restricted to kept weights. `rowsOf(r)` is
/// `dy + r * dyStride`. The reduction runs in blocks so both operands stay in cache.
func gatherRowDots(rowStart: UnsafePointer<Int>, offsets: UnsafePointer<Int>, indices: UnsafePointer<Int>, rows: Int,
                   dy: UnsafePointer<Float>, dyStride: Int, source: UnsafePointer<Float>, columns: Int,
                   gradient: UnsafeMutablePointer<Float>) {
    parallelRanges(rows, granularity: 4) { range in
        let block = 512
        var start = 0
        while start < columns {
            let length = min(block, columns - start)
            for r in range {
                let row = dy + (r &* dyStride &+ start)
                var k = rowStart[r]
                let end = rowStart[r + 1]
                // Four entries at a time share each load of the gradient row.
                while k &+ 4 <= end {
                    let x0 = source + (offsets[k] &+ start), x1 = source + (offsets[k &+ 1] &+ start)
                    let x2 = source + (offsets[k &+ 2] &+ start), x3 = source + (offsets[k &+ 3] &+ start)
                    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                    var n = 0
                    while n &+ 8 <= length {
                        let d = UnsafeRawPointer(row + n).loadUnaligned(as: SIMD8<Float>.self)
                        a0.addProduct(d, UnsafeRawPointer(x0 + n).loadUnaligned(as: SIMD8<Float>.self))
                        a1.addProduct(d, UnsafeRawPointer(x1 + n).loadUnaligned(as: SIMD8<Float>.self))
                        a2.addProduct(d, UnsafeRawPointer(x2 + n).loadUnaligned(as: SIMD8<Float>.self))
                        a3.addProduct(d, UnsafeRawPointer(x3 + n).loadUnaligned(as: SIMD8<Float>.self))
                        n &+= 8
                    }
                    var t0 = a0.sum(), t1 = a1.sum(), t2 = a2.sum(), t3 = a3.sum()
                    while n < length {
                        t0 += row[n] * x0[n]
                        t1 += row[n] * x1[n]
                        t2 += row[n] * x2[n]
                        t3 += row[n] * x3[n]
                        n &+= 1
                    }
                    gradient[indices[k]] += t0
                    gradient[indices[k &+ 1]] += t1
                    gradient[indices[k &+ 2]] += t2
                    gradient[indices[k &+ 3]] += t3
                    k &+= 4
                }
                while k < end {
                    let x = source + (offsets[k] &+ start)
                    var a0 = SIMD8<Float>()
                    var n = 0
                    while n &+ 8 <= length {
                        a0.addProduct(UnsafeRawPointer(row + n).loadUnaligned(as: SIMD8<Float>.self),
                                      UnsafeRawPointer(x + n).loadUnaligned(as: SIMD8<Float>.self))
                        n &+= 8
                    }
                    var total = a0.sum()
                    while n < length {
                        total += row[n] * x[n]
                        n &+= 1
                    }
                    gradient[indices[k]] += total
                    k &+= 1
                }
            }
            start += length
        }
    }
}

/// The kept entries of a masked convolution weight [out, in, kh, kw], grouped by output
/// channel (for the forward pass and the weight gradient) and by input channel (for the
/// input gradient). Offsets depend on the input size and are computed per call.
public final class SparsityPattern {
    public let outChannels: Int, inChannels: Int, kernelHeight: Int, kernelWidth: Int
    /// Kept weights: their flat index in the weight tensor, by output channel.
    let byOutput: (rowStart: [Int], weightIndex: [Int])
    /// The same entries by (input channel, tap), output channels innermost: im2col rows;
    /// `rowStart[i * taps]` also groups them by input channel.
    let byInput: (rowStart: [Int], weightIndex: [Int])
    public let kept: Int

    public init(mask: [Float], shape: [Int]) {
        require(shape.count == 4 && mask.count == shape.reduce(1, *), "sparsity pattern of shape \(shape)")
        outChannels = shape[0]; inChannels = shape[1]; kernelHeight = shape[2]; kernelWidth = shape[3]
        let taps = kernelHeight * kernelWidth
        var rowStart = [0], indices: [Int] = []
        for o in 0..<outChannels {
            for j in 0..<(inChannels * taps) where mask[o * inChannels * taps + j] != 0 { indices.append(o * inChannels * taps + j) }
            rowStart.append(indices.count)
        }
        byOutput = (rowStart, indices)
        var inputStart = [0], inputIndices: [Int] = []
        for i in 0..<inChannels {
            for t in 0..<taps {
                for o in 0..<outChannels where mask[(o * inChannels + i) * taps + t] != 0 { inputIndices.append((o * inChannels + i) * taps + t) }
                inputStart.append(inputIndices.count)
            }
        }
        byInput = (inputStart, inputIndices)
        kept = indices.count
    }

    public var density: Double { Double(kept) / Double(outChannels * inChannels * kernelHeight * kernelWidth) }
}
