/// A fully connected layer over a batch (`torch.nn.functional.linear`):
/// y[N, out] = x[N, in] · weightᵀ + bias, with weight laid out [out, in] as PyTorch's.
///
/// The same product serves a measurement matrix: with A as the weight and an image
/// flattened to [1, n], `linear(x, weight: A)` is A·x as a row.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    require(input.rank == 2, "linear expects [batch, features], got \(input.shape)")
    require(weight.rank == 2 && weight.shape[1] == input.shape[1],
            "linear: weight \(weight.shape) does not take \(input.shape[1]) input features")
    let batch = input.shape[0], inputs = input.shape[1], outputs = weight.shape[0]
    if let bias { require(bias.shape == [outputs], "linear: bias \(bias.shape) for \(outputs) outputs") }
    var output = [Float](repeating: 0, count: batch * outputs)
    if let bias {
        for n in 0..<batch { for o in 0..<outputs { output[n * outputs + o] = bias.data[o] } }
    }
    input.data.withUnsafeBufferPointer { x in
        weight.data.withUnsafeBufferPointer { w in
            output.withUnsafeMutableBufferPointer { y in
                gemm(transposeB: true, m: batch, n: outputs, k: inputs, a: x.baseAddress!, lda: inputs,
                     b: w.baseAddress!, ldb: inputs, beta: bias == nil ? 0 : 1, c: y.baseAddress!, ldc: outputs)
            }
        }
    }
    let inputsOfGraph = [input, weight] + (bias.map { [$0] } ?? [])
    return makeResult(shape: [batch, outputs], data: output, inputs: inputsOfGraph) { result in
        result.gradient!.withUnsafeBufferPointer { dy in
            if input.requiresGradient {
                // dx = dy · weight
                input.withGradient { dx in
                    weight.data.withUnsafeBufferPointer { w in
                        gemm(m: batch, n: inputs, k: outputs, a: dy.baseAddress!, lda: outputs,
                             b: w.baseAddress!, ldb: inputs, beta: 1, c: dx, ldc: inputs)
                    }
                }
            }
            if weight.requiresGradient {
                // dweight = dyᵀ · x
                weight.withGradient { dw in
                    input.data.withUnsafeBufferPointer { x in
                        gemm(transposeA: true, m: outputs, n: inputs, k: batch, a: dy.baseAddress!, lda: outputs,
                             b: x.baseAddress!, ldb: inputs, beta: 1, c: dw, ldc: inputs)
                    }
                }
            }
            if let bias, bias.requiresGradient {
                bias.withGradient { db in
                    for n in 0..<batch { for o in 0..<outputs { db[o] += dy[n * outputs + o] } }
                }
            }
        }
    }
}
