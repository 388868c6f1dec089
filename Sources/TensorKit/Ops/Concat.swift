/// Concatenates NCHW tensors along channels. Inputs whose spatial sizes differ are first
/// centre-cropped to the smallest height and width (offset (size - min) / 2), as DIP's
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
    func forEachRow(_ body: (_ input: Int, _ source: Int, _ destination: Int) -> Void) {
        for (index, t) in inputs.enumerated() {
            let c = t.shape[1], h = t.shape[2], w = t.shape[3]
            let top = (h - height) / 2, left = (w - width) / 2
            for n in 0..<batch {
                for k in 0..<c {
                    for r in 0..<height {
                        body(index, ((n * c + k) * h + r + top) * w + left,
                             ((n * channels + firstChannel[index] + k) * height + r) * width)
                    }
                }
            }
        }
    }
    output.withUnsafeMutableBufferPointer { yb in
        forEachRow { index, source, destination in
            inputs[index].data.withUnsafeBufferPointer { xb in
                (yb.baseAddress! + destination).update(from: xb.baseAddress! + source, count: width)
            }
        }
    }
    return makeResult(shape: [batch, channels, height, width], data: output, inputs: inputs) { result in
        var gradients = inputs.map { $0.requiresGradient ? [Float](repeating: 0, count: $0.count) : [] }
        result.gradient!.withUnsafeBufferPointer { gb in
            forEachRow { index, source, destination in
                guard inputs[index].requiresGradient else { return }
                gradients[index].withUnsafeMutableBufferPointer { db in
                    (db.baseAddress! + source).update(from: gb.baseAddress! + destination, count: width)
                }
            }
        }
        for (t, g) in zip(inputs, gradients) where t.requiresGradient { t.accumulateGradient(g) }
    }
}
