/// The stride-1 lowering: one GEMM per kernel tap over the padded input shifted by that
/// tap ("shifted GEMMs"), output rows computed at the padded width (the wide layout).
extension ConvolutionGeometry {
    /// Stride 1: for each block of output columns, accumulate the taps' GEMMs
    /// Y_wide[:, block] += W_tap * X_padded[:, block + offset(tap)]. Tiles of output rows
    /// and column blocks are spread over the cores (`parallelTiles`); each tile's GEMMs run
    /// single-threaded.
    func forwardShifted(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: [Float]?, output y: UnsafeMutablePointer<Float>) {
        let byTap = taps == 1 ? [] : weightsByTap(weight)
        // With a one-column kernel the wide layout is the output layout itself.
        let direct = paddedWidth == outWidth
        var wide = direct ? [] : uninitializedFloats(outChannels * wideStride)
        GemmCounter.flops += 2 * Double(batch * outChannels * inChannels * taps * wideColumns)
        byTap.withUnsafeBufferPointer { wt in
            wide.withUnsafeMutableBufferPointer { wb in
                let w = taps == 1 ? weight : UnsafePointer(wt.baseAddress!)
                for n in 0..<batch {
                    let x = xp + n * inChannels * paddedPlane
                    let out = y + n * outChannels * outPlane
                    let target = direct ? out : wb.baseAddress!
                    parallelTiles(rows: outChannels, columns: wideColumns, columnBlock: Self.columnBlock) { rows, range in
                        var j = range.lowerBound
                        while j < range.upperBound {
                            let width = min(Self.columnBlock, range.upperBound - j)
                            // Straight into the output: the block starts as the bias (it is in
                            // cache for the GEMM next) rather than zeroed by BLAS and biased later.
                            let startsWithBias = direct && bias != nil
                            if startsWithBias {
                                for o in rows {
                                    (target + o * wideStride + j).update(repeating: bias![o], count: width)
                                }
                            }
                            for t in 0..<taps {
                                serialGemm(m: rows.count, n: width, k: inChannels,
                                           a: w + t * outChannels * inChannels + rows.lowerBound * inChannels, lda: inChannels,
                                           b: x + tapOffset(t) + j, ldb: paddedPlane, beta: t == 0 && !startsWithBias ? 0 : 1,
                                           c: target + rows.lowerBound * wideStride + j, ldc: wideStride)
                            }
                            j += width
                        }
                    }
                    if !direct { copyFromWide(wb.baseAddress!, bias: bias, into: out) }
                }
            }
        }
    }

    /// Stride-1 backward over the output gradient laid out at the padded width, with a
    /// zero margin in front of each channel row:
    /// - dW_tap = dY_wide * X_shifted(tap)^T, output-channel rows spread over the cores,
    ///   the reduction in blocks;
    /// - dX_padded[:, p] = sum_tap W_tap^T * dY_wide[:, p - offset(tap)], i.e. a forward
    ///   pass of the transposed taps over the margin-padded gradient; blocks of p are
    ///   independent, so they are spread over the cores without write conflicts.
    func backwardShifted(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, weightGradient dw: inout [Float]?,
                         paddedInputGradient: UnsafeMutablePointer<Float>?) {
        let byTap = taps == 1 ? [] : weightsByTap(weight)
        let margin = self.margin
        let direct = margin == 0 && paddedWidth == outWidth && paddedHeight == outHeight
        let rowLength = direct ? outPlane : margin + paddedPlane
        var buffer = direct ? [] : uninitializedFloats(outChannels * rowLength)
        var weightByTapGradient = [Float](repeating: 0, count: dw != nil && taps > 1 ? taps * outChannels * inChannels : 0)
        let needWeight = dw != nil
        GemmCounter.flops += 2 * Double(batch * outChannels * inChannels * taps)
            * (Double(needWeight ? wideColumns : 0) + Double(paddedInputGradient != nil ? paddedPlane : 0))
        byTap.withUnsafeBufferPointer { wt in
            buffer.withUnsafeMutableBufferPointer { bb in
                let w = taps == 1 ? weight : UnsafePointer(wt.baseAddress!)
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    let rows: UnsafePointer<Float>
                    if direct {
                        rows = d
                    } else {
                        let b = bb.baseAddress!
                        spreadOutputGradient(d, into: b)
                        rows = UnsafePointer(b)
                    }
                    let x = xp + n * inChannels * paddedPlane
                    if needWeight {
                        func accumulate(into g: UnsafeMutablePointer<Float>) {
                            parallelRanges(outChannels, granularity: 8) { channels in
                                var q = 0
                                while q < wideColumns {
                                    let length = min(Self.reductionBlock, wideColumns - q)
                                    for t in 0..<taps {
                                        serialGemm(transposeB: true, m: channels.count, n: inChannels, k: length,
                                                   a: rows + channels.lowerBound * rowLength + margin + q, lda: rowLength,
                                                   b: x + tapOffset(t) + q, ldb: paddedPlane, beta: 1,
                                                   c: g + t * outChannels * inChannels + channels.lowerBound * inChannels,
                                                   ldc: inChannels)
                                    }
                                    q += length
                                }
                            }
                        }
                        if taps == 1 {
                            dw!.withUnsafeMutableBufferPointer { accumulate(into: $0.baseAddress!) }
                        } else {
                            weightByTapGradient.withUnsafeMutableBufferPointer { accumulate(into: $0.baseAddress!) }
                        }
                    }
                    if let g = paddedInputGradient {
                        let target = g + n * inChannels * paddedPlane
                        parallelTiles(rows: inChannels, columns: paddedPlane, columnBlock: Self.columnBlock) { channels, range in
                            var p = range.lowerBound
                            while p < range.upperBound {
                                let width = min(Self.columnBlock, range.upperBound - p)
                                for t in 0..<taps {
                                    serialGemm(transposeA: true, m: channels.count, n: width, k: outChannels,
                                               a: w + t * outChannels * inChannels + channels.lowerBound, lda: inChannels,
                                               b: rows + margin - tapOffset(t) + p, ldb: rowLength,
                                               beta: t == 0 ? 0 : 1, c: target + channels.lowerBound * paddedPlane + p,
                                               ldc: paddedPlane)
                                }
                                p += width
                            }
                        }
                    }
                }
            }
        }
        if needWeight && taps > 1 {
            for o in 0..<outChannels {
                for i in 0..<inChannels {
                    for t in 0..<taps {
                        dw![(o * inChannels + i) * taps + t] += weightByTapGradient[(t * outChannels + o) * inChannels + i]
                    }
                }
            }
        }
    }
}
