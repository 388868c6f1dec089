// The sparse passes of a convolution with a `SparsityPattern`: only the kept
// multiply-adds, through the gather kernels of `Kernels/Sparse.swift`.

// MARK: Sparse passes

extension ConvolutionGeometry {
    /// Offsets of the kept entries (by output channel) into the padded input (stride 1)
    /// or into the im2col columns (other strides), and their current weight values.
    func outputEntries(_ pattern: SparsityPattern, weight: UnsafePointer<Float>) -> (offsets: [Int], values: [Float]) {
        let indices = pattern.byOutput.weightIndex
        let perOutput = inChannels * taps
        var offsets = [Int](repeating: 0, count: indices.count), values = [Float](repeating: 0, count: indices.count)
        for (k, w) in indices.enumerated() {
            let j = w % perOutput
            offsets[k] = stride == 1 ? (j / taps) * paddedPlane + tapOffset(j % taps) : j * outPlane
            values[k] = weight[w]
        }
        return (offsets, values)
    }

    func forwardSparse(_ pattern: SparsityPattern, padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                       bias: [Float]?, output y: UnsafeMutablePointer<Float>) {
        let (offsets, values) = outputEntries(pattern, weight: weight)
        GemmCounter.flops += 2 * Double(batch * pattern.kept * (stride == 1 ? wideColumns : outPlane))
        let rowStart = pattern.byOutput.rowStart
        if stride == 1 && gathersByRow {
            // Row by row straight into the output, starting from the bias.
            let rows = GatherColumns(segments: outHeight, length: outWidth, sourceStride: paddedWidth, outputStride: outWidth)
            let initial = bias ?? [Float](repeating: 0, count: outChannels)
            initial.withUnsafeBufferPointer { b in
                for n in 0..<batch {
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: xp + n * inChannels * paddedPlane, columns: rows,
                               output: y + n * outChannels * outPlane, outStride: outPlane, initial: b.baseAddress!,
                               channels: GatherChannels(stride: paddedPlane, rows: kernelHeight))
                }
            }
        } else if stride == 1 {
            let direct = paddedWidth == outWidth
            var wide = direct ? [] : uninitializedFloats(outChannels * wideStride)
            wide.withUnsafeMutableBufferPointer { wb in
                for n in 0..<batch {
                    let out = y + n * outChannels * outPlane
                    let target = direct ? out : wb.baseAddress!
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: xp + n * inChannels * paddedPlane, columns: .contiguous(wideColumns),
                               output: target, outStride: wideStride,
                               channels: GatherChannels(stride: paddedPlane, rows: kernelHeight))
                    if !direct { copyFromWide(wb.baseAddress!, bias: bias, into: out) }
                }
            }
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            columns.withUnsafeMutableBufferPointer { cb in
                for n in 0..<batch {
                    im2col(xp + n * inChannels * paddedPlane, into: cb.baseAddress!)
                    gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: outChannels,
                               source: cb.baseAddress!, columns: .contiguous(outPlane), output: y + n * outChannels * outPlane,
                               outStride: outPlane, channels: GatherChannels(stride: outPlane, rows: 1))
                }
            }
        }
    }

    func backwardSparse(_ pattern: SparsityPattern, padded xp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        outputGradient dy: UnsafePointer<Float>,
                        inputGradient dx: inout [Float]?, weightGradient dw: inout [Float]?) {
        let needInput = dx != nil, needWeight = dw != nil
        let (offsets, _) = outputEntries(pattern, weight: weight)
        let perOutput = inChannels * taps
        // Input-gradient entries: by (input channel, tap), pointing into the gradient rows.
        let inputIndices = pattern.byInput.weightIndex
        var inputValues = [Float](repeating: 0, count: inputIndices.count)
        for (k, w) in inputIndices.enumerated() { inputValues[k] = weight[w] }
        // Row by row straight into dx, or through a padded gradient that is folded at the end.
        let inputGradientByRow = needInput && padding > 0 && stride == 1 && gathersByRow
        var dxp = needInput && padding > 0 && !inputGradientByRow ? paddedGradientBuffer() : []
        let margin = self.margin
        let rowLength = margin + paddedPlane
        if stride == 1 {
            var buffer = uninitializedFloats(outChannels * rowLength)
            var inputOffsets = [Int](repeating: 0, count: inputIndices.count)
            for (k, w) in inputIndices.enumerated() {
                inputOffsets[k] = (w / perOutput) * rowLength + margin - tapOffset(w % taps)
            }
            let byChannel = (0...inChannels).map { pattern.byInput.rowStart[$0 * taps] }
            // The input gradient's entries read the output gradient's channels (rows of `buffer`).
            let gradientChannels = GatherChannels(stride: rowLength, rows: kernelHeight)
            GemmCounter.flops += 2 * Double(batch * pattern.kept)
                * (Double(needWeight ? wideColumns : 0) + Double(needInput ? paddedPlane : 0))
            buffer.withUnsafeMutableBufferPointer { bb in
                let b = bb.baseAddress!
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    spreadOutputGradient(d, into: b)
                    let x = xp + n * inChannels * paddedPlane
                    if needWeight {
                        dw!.withUnsafeMutableBufferPointer { g in
                            gatherRowDots(rowStart: pattern.byOutput.rowStart, offsets: offsets, indices: pattern.byOutput.weightIndex,
                                          rows: outChannels, dy: b + margin, dyStride: rowLength, source: x,
                                          columns: wideColumns, gradient: g.baseAddress!)
                        }
                    }
                    if inputGradientByRow {
                        // The interior rows straight into dx; the border (unless zero-padded, where
                        // it is dropped) into a thin frame that is then folded in.
                        dx!.withUnsafeMutableBufferPointer { g in
                            let target = g.baseAddress! + n * inChannels * height * width
                            let interior = GatherColumns(segments: height, length: width, sourceStride: paddedWidth,
                                                         outputStride: width)
                            gatherRows(rowStart: byChannel, offsets: inputOffsets, values: inputValues, rows: inChannels,
                                       source: b + padding * paddedWidth + padding, columns: interior, output: target,
                                       outStride: height * width, channels: gradientChannels)
                            if mode != .zero {
                                gatherAndFoldBorder(rowStart: byChannel, offsets: inputOffsets, values: inputValues,
                                                    source: b, into: target)
                            }
                        }
                    } else if needInput {
                        func write(_ target: UnsafeMutablePointer<Float>) {
                            gatherRows(rowStart: byChannel, offsets: inputOffsets, values: inputValues, rows: inChannels,
                                       source: b, columns: .contiguous(paddedPlane), output: target, outStride: paddedPlane,
                                       channels: gradientChannels)
                        }
                        if padding > 0 {
                            dxp.withUnsafeMutableBufferPointer { write($0.baseAddress! + n * inChannels * paddedPlane) }
                        } else {
                            dx!.withUnsafeMutableBufferPointer { write($0.baseAddress! + n * inChannels * paddedPlane) }
                        }
                    }
                }
            }
        } else {
            var columns = uninitializedFloats(inChannels * taps * outPlane)
            var inputOffsets = [Int](repeating: 0, count: inputIndices.count)
            for (k, w) in inputIndices.enumerated() { inputOffsets[k] = (w / perOutput) * outPlane }
            GemmCounter.flops += 2 * Double(batch * pattern.kept * outPlane) * Double((needWeight ? 1 : 0) + (needInput ? 1 : 0))
            columns.withUnsafeMutableBufferPointer { cb in
                let cols = cb.baseAddress!
                for n in 0..<batch {
                    let d = dy + n * outChannels * outPlane
                    if needWeight {
                        im2col(xp + n * inChannels * paddedPlane, into: cols)
                        dw!.withUnsafeMutableBufferPointer { g in
                            gatherRowDots(rowStart: pattern.byOutput.rowStart, offsets: offsets, indices: pattern.byOutput.weightIndex,
                                          rows: outChannels, dy: d, dyStride: outPlane, source: cols, columns: outPlane,
                                          gradient: g.baseAddress!)
                        }
                    }
                    if needInput {
                        gatherRows(rowStart: pattern.byInput.rowStart, offsets: inputOffsets, values: inputValues,
                                   rows: inChannels * taps, source: d, columns: .contiguous(outPlane), output: cols,
                                   outStride: outPlane, channels: GatherChannels(stride: outPlane, rows: 1))
                        if padding > 0 {
                            dxp.withUnsafeMutableBufferPointer { col2im(cols, into: $0.baseAddress! + n * inChannels * paddedPlane) }
                        } else {
                            dx!.withUnsafeMutableBufferPointer { col2im(cols, into: $0.baseAddress! + n * inChannels * paddedPlane) }
                        }
                    }
                }
            }
        }
        if needInput && padding > 0 && !inputGradientByRow { foldPadding(dxp, into: &dx!) }
    }

    /// Whether the stride-1 sparse passes gather image row by image row (straight into
    /// the output, and into the unpadded input gradient) rather than over the wide layout
    /// followed by a copy: rows of at least 32 columns fill the kernel's SIMD blocks.
    var gathersByRow: Bool { width >= 32 && outWidth >= 32 && paddedWidth != outWidth }

    /// The padded border of the input gradient, gathered into a thin frame per channel
    /// (top and bottom padding rows, then the left and right padding columns of the image
    /// rows) and folded onto the pixels it was copied from (the padding's adjoint).
    func gatherAndFoldBorder(rowStart: [Int], offsets: [Int], values: [Float], source: UnsafePointer<Float>,
                             into dx: UnsafeMutablePointer<Float>) {
        let band = padding * paddedWidth, side = height * padding
        let frameSize = 2 * band + 2 * side
        var frame = uninitializedFloats(inChannels * frameSize)
        frame.withUnsafeMutableBufferPointer { fb in
            let f = fb.baseAddress!
            let columns = GatherColumns(segments: height, length: padding, sourceStride: paddedWidth, outputStride: padding)
            for (start, layout, offset) in [(0, GatherColumns.contiguous(band), 0),
                                            ((padding + height) * paddedWidth, .contiguous(band), band),
                                            (padding * paddedWidth, columns, 2 * band),
                                            (padding * paddedWidth + padding + width, columns, 2 * band + side)] {
                gatherRows(rowStart: rowStart, offsets: offsets, values: values, rows: inChannels, source: source + start,
                           columns: layout, output: f + offset, outStride: frameSize)
            }
            parallelItems(inChannels, costPerItem: frameSize) { c in
                let frame = f + c * frameSize
                addPaddedBorder(PaddedBorder(top: frame, bottom: frame + band, left: frame + 2 * band,
                                             right: frame + 2 * band + side, sideStride: padding),
                                height: height, width: width, pad: padding, mode: mode, into: dx + c * height * width)
            }
        }
    }
}
