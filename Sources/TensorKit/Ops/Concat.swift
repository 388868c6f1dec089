/// Concatenates NCHW tensors along channels. Inputs whose spatial sizes differ are first
/// center-cropped to the smallest height and width (offset (size - min) / 2), as DIP's
/// `Concat` module does; this is what lets sizes that are not multiples of 2^scales work.
public func concatChannels(_ inputs: [Tensor]) -> Tensor {
    require(!inputs.isEmpty && inputs.allSatisfy { $0.rank == 4 }, "concat expects NCHW tensors")
    let batch = inputs[0].shape[0]
    require(inputs.allSatisfy { $0.shape[0] == batch }, "concat: batch sizes differ: \(inputs.map(\.shape))")
    let height = inputs.map { $0.shape[2] }.min()!, width = inputs.map { $0.shape[3] }.min()!
    let channels = inputs.map { $0.shape[1] }.reduce(0, +)
    let plane = height * width
    var output = uninitializedFloats(batch * channels * plane)
    // Where each input's channel block starts, and its crop offsets.
    var firstChannel = [Int]()
    var channelCursor = 0
    for t in inputs {
        firstChannel.append(channelCursor)
        channelCursor += t.shape[1]
    }
    /// The kept rows of input `index`: their start in that input and in the output.
    func forEachRow(of index: Int, _ body: (_ source: Int, _ destination: Int) -> Void) {
        let t = inputs[index]
        let c = t.shape[1], h = t.shape[2], w = t.shape[3]
        let top = (h - height) / 2, left = (w - width) / 2
        for n in 0..<batch {
            for k in 0..<c {
                for r in 0..<height {
                    body(((n * c + k) * h + r + top) * w + left,
                         ((n * channels + firstChannel[index] + k) * height + r) * width)
                }
            }
        }
    }
    // Without crops (DIP's sizes), each input is one contiguous block per batch item.
    let cropped = inputs.contains { $0.shape[2] != height || $0.shape[3] != width }
    output.withUnsafeMutableBufferPointer { yb in
        if cropped {
            for (index, t) in inputs.enumerated() {
                t.data.withUnsafeBufferPointer { xb in
                    forEachRow(of: index) { source, destination in
                        (yb.baseAddress! + destination).update(from: xb.baseAddress! + source, count: width)
                    }
                }
            }
            return
        }
        for (index, t) in inputs.enumerated() {
            let block = t.shape[1] * plane
            t.data.withUnsafeBufferPointer { xb in
                for n in 0..<batch {
                    copyInParallel(from: xb.baseAddress! + n * block,
                                   to: yb.baseAddress! + (n * channels + firstChannel[index]) * plane, count: block)
                }
            }
        }
    }
    return makeResult(shape: [batch, channels, height, width], data: output, inputs: inputs) { result in
        result.gradient!.withUnsafeBufferPointer { gb in
            for (index, t) in inputs.enumerated() where t.requiresGradient {
                // Cropped-away pixels get no gradient (zeros); otherwise every entry is copied.
                var gradient = cropped ? [Float](repeating: 0, count: t.count) : uninitializedFloats(t.count)
                gradient.withUnsafeMutableBufferPointer { db in
                    if cropped {
                        forEachRow(of: index) { source, destination in
                            (db.baseAddress! + source).update(from: gb.baseAddress! + destination, count: width)
                        }
                    } else {
                        let block = t.shape[1] * plane
                        for n in 0..<batch {
                            copyInParallel(from: gb.baseAddress! + (n * channels + firstChannel[index]) * plane,
                                           to: db.baseAddress! + n * block, count: block)
                        }
                    }
                }
                t.accumulateGradient(gradient)
            }
        }
    }
}
