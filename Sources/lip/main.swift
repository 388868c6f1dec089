import Foundation
import LIPCore
import Networks
import TensorKit

let net = makeSkipNetwork()
net.initializeParameters(seed: 1)
print("params", net.parameterCount, "convs", net.convolutions.count, "bns", net.batchNorms.count)
for size in [64, 128, 256] {
    var rng = RandomSource(seed: 2)
    let z = Tensor(shape: [1, 32, size, size], data: rng.uniform(count: 32 * size * size, high: 0.1))
    let target = Tensor(shape: [1, 3, size, size], data: rng.uniform(count: 3 * size * size))
    let adam = Adam(parameters: net.parameters, learningRate: 0.01)
    var times: [Double] = []
    for _ in 0..<6 {
        let t0 = Date()
        GemmCounter.flops = 0
        adam.zeroGradients()
        let out = net(z)
        let loss = meanSquaredError(out, target)
        loss.backward()
        adam.step()
        times.append(Date().timeIntervalSince(t0))
    }
    let best = times.dropFirst().min()!
    print(size, String(format: "%.1f ms  %.1f GFLOP/s", best * 1000, GemmCounter.flops / best / 1e9))
}
