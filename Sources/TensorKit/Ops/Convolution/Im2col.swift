/// The lowering for strides above 1: im2col (each output pixel's receptive field as a
/// column) followed by one GEMM; col2im is its adjoint.
extension ConvolutionGeometry {
    /// Strides above 1: im2col followed by one GEMM per batch item, straight into the
    /// output (the caller adds the bias).
    func forwardIm2col(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                       output y: UnsafeMutablePointer<Float>) {
        var columns = uninitializedFloats(inChannels * taps * outPlane)
        columns.withUnsafeMutableBufferPointer { cb in
            for n in 0..<batch {
                im2col(xp + n * inChannels * paddedPlane, into: cb.baseAddress!)
                gemm(m: outChannels, n: outPlane, k: inChannels * taps, a: weight, lda: inChannels * taps,
                     b: cb.baseAddress!, ldb: outPlane, beta: 0,
                     c: y + n * outChannels * outPlane, ldc: outPlane)
            }
        }
    }

    /// Strides above 1: dW += dY * columns^T over im2col's columns, and the input gradient
    /// as columns = W^T * dY folded back by col2im into the padded input gradient (which
    /// must start zeroed, `paddedGradientNeedsZeros`).
    func backwardIm2col(padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        outputGradient dy: UnsafePointer<Float>, weightGradient dw: inout [Float]?,
                        paddedInputGradient: UnsafeMutablePointer<Float>?) {
        let needInput = paddedInputGradient != nil, needWeight = dw != nil
        var columns = uninitializedFloats(inChannels * taps * outPlane)
        columns.withUnsafeMutableBufferPointer { cb in
            let cols = cb.baseAddress!
            for n in 0..<batch {
                let d = dy + n * outChannels * outPlane
                if needWeight {
                    im2col(xp + n * inChannels * paddedPlane, into: cols)
                    dw!.withUnsafeMutableBufferPointer { g in
                        gemm(transposeB: true, m: outChannels, n: inChannels * taps, k: outPlane,
                             a: d, lda: outPlane, b: cols, ldb: outPlane, beta: 1,
                             c: g.baseAddress!, ldc: inChannels * taps)
                    }
                }
                if needInput {
                    gemm(transposeA: true, m: inChannels * taps, n: outPlane, k: outChannels,
                         a: weight, lda: inChannels * taps, b: d, ldb: outPlane, beta: 0, c: cols, ldc: outPlane)
                    col2im(cols, into: paddedInputGradient! + n * inChannels * paddedPlane)
                }
            }
        }
    }

    /// columns[(c, kh, kw), (r, q)] = padded[c, r*stride + kh, q*stride + kw]
    func im2col(_ xp: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        parallelItems(inChannels * taps, costPerItem: outPlane) { row in
            let c = row / taps, t = row % taps
            let kh = t / kernelWidth, kw = t % kernelWidth
            let src = xp + c * paddedPlane
            let dst = columns + row * outPlane
            for r in 0..<outHeight {
                let srcRow = src + (r * stride + kh) * paddedWidth + kw
                let dstRow = dst + r * outWidth
                var q = 0
                if stride == 2 {
                    // 8 outputs from one 16-wide load (its even lanes) while it stays in the row.
                    while kw &+ 2 &* q &+ 16 <= paddedWidth && q &+ 8 <= outWidth {
                        let pair = UnsafeRawPointer(srcRow + 2 &* q).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(dstRow + q).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
                        q &+= 8
                    }
                }
                while q < outWidth {
                    dstRow[q] = srcRow[q * stride]
                    q &+= 1
                }
            }
        }
    }

    /// The adjoint of im2col: adds each column entry back to its padded position.
    func col2im(_ columns: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>) {
        // Parallel over channels only: taps of one channel write overlapping positions.
        parallelItems(inChannels, costPerItem: taps * outPlane) { c in
            let dst = xp + c * paddedPlane
            for t in 0..<taps {
                let kh = t / kernelWidth, kw = t % kernelWidth
                let src = columns + (c * taps + t) * outPlane
                for r in 0..<outHeight {
                    let dstRow = dst + (r * stride + kh) * paddedWidth + kw
                    let srcRow = src + r * outWidth
                    var q = 0
                    if stride == 2 {
                        // Add 8 values to the even lanes of a 16-wide window (the odd lanes are
                        // written back unchanged; this channel's plane belongs to this thread).
                        while kw &+ 2 &* q &+ 16 <= paddedWidth && q &+ 8 <= outWidth {
                            let target = UnsafeMutableRawPointer(dstRow + 2 &* q)
                            var pair = target.loadUnaligned(as: SIMD16<Float>.self)
                            pair.evenHalf += UnsafeRawPointer(srcRow + q).loadUnaligned(as: SIMD8<Float>.self)
                            target.storeBytes(of: pair, as: SIMD16<Float>.self)
                            q &+= 8
                        }
                    }
                    while q < outWidth {
                        dstRow[q * stride] += srcRow[q]
                        q &+= 1
                    }
                }
            }
        }
    }
}
