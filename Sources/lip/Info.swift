import ArgumentParser
import Foundation
import Networks
import TensorKit

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print DIP's network (layers, parameter counts) and the machine facts that matter.")

    @Flag(help: "List every module, not only the layers with parameters.")
    var all = false

    func run() throws {
        let network = makeSkipNetwork(.dip)
        print("DIP skip network (input 32, output 3, 5 scales of 128, skip 4, 3x3, bilinear, reflection, LeakyReLU)")
        print(String(repeating: "-", count: 96))
        for (path, module) in network.namedModules() where !path.isEmpty {
            let own = module.localParameters.reduce(0) { $0 + $1.tensor.count }
            guard all || own > 0 else { continue }
            let name = path.padding(toLength: 40, withPad: " ", startingAt: 0)
            print("\(name) \(module.summary)\(own > 0 ? "  [\(own)]" : "")")
        }
        print(String(repeating: "-", count: 96))
        let convWeights = network.convolutions.reduce(0) { $0 + $1.layer.weight.count }
        print("parameters \(network.parameterCount), of which conv weights \(convWeights) (the prunable set)")
        print("convolutions \(network.convolutions.count), batch norms \(network.batchNorms.count)")
        print("")
        print("threads      \(Threads.count) (LIP_THREADS to change)")
        print("BLAS core    \(Threads.blasCore)")
        print("BLAS config  \(Threads.blasConfig)")
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first(where: { $0.hasPrefix("model name") })?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) {
            print("CPU          \(cpu)")
        }
    }
}
