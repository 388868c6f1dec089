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

/// out[r * outStride + n] = initial[r] + Σ_{k in row r} values[k] * source[offsets[k] + n]
/// for the columns n of `columns` (initial 0 when nil).
/// Output-stationary: 32 outputs of a row accumulate in registers across the row's
/// entries, so each entry costs one load and one FMA per 8 outputs.
func gatherRows(rowStart: UnsafePointer<Int>, offsets: UnsafePointer<Int>, values: UnsafePointer<Float>, rows: Int,
                source: UnsafePointer<Float>, columns: GatherColumns, output: UnsafeMutablePointer<Float>, outStride: Int,
                initial: UnsafePointer<Float>? = nil) {
    // Column blocks outermost: every row's entries read the same window of the source,
    // which then stays in L2 instead of streaming the whole input once per output row.
    let block = 256
    parallelRanges(rows, granularity: 4) { range in
        for segment in 0..<columns.segments {
            let src = source + segment &* columns.sourceStride
            let dst = output + segment &* columns.outputStride
            var blockStart = 0
            while blockStart < columns.length {
                let blockEnd = min(columns.length, blockStart &+ block)
                for r in range {
                    let begin = rowStart[r], end = rowStart[r + 1]
                    let out = dst + r &* outStride
                    let start = initial?[r] ?? 0
                    var n = blockStart
                    while n &+ 32 <= blockEnd {
                        var a0 = SIMD8<Float>(repeating: start), a1 = a0, a2 = a0, a3 = a0
                        var k = begin
                        while k < end {
                            let w = SIMD8<Float>(repeating: values[k])
                            let p = UnsafeRawPointer(src + (offsets[k] &+ n))
                            a0.addProduct(w, p.loadUnaligned(as: SIMD8<Float>.self))
                            a1.addProduct(w, p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                            a2.addProduct(w, p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                            a3.addProduct(w, p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                            k &+= 1
                        }
                        let o = UnsafeMutableRawPointer(out + n)
                        o.storeBytes(of: a0, as: SIMD8<Float>.self)
                        o.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self)
                        o.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self)
                        o.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self)
                        n &+= 32
                    }
                    while n < blockEnd {
                        var total = start
                        for k in begin..<end { total += values[k] * src[offsets[k] &+ n] }
                        out[n] = total
                        n &+= 1
                    }
                }
                blockStart = blockEnd
            }
        }
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
