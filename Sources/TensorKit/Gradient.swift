import Foundation

/// Whether operations record the graph. Turn it off for evaluation-only forward passes.
/// Like PyTorch's grad mode, the switch is per thread (task-local), so evaluation on one
/// thread never disables graph recording of a training loop on another.
public enum GradientMode {
    @TaskLocal static var disabled = false

    public static var isEnabled: Bool { !disabled }

    /// Runs `body` without recording the graph (like `torch.no_grad()`).
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        try $disabled.withValue(true) { try body() }
    }
}

extension Tensor {
    /// Back-propagates from this scalar (seed gradient 1), or from any tensor with an
    /// explicit seed of the same shape. The graph is released as the pass goes, as
    /// PyTorch does without `retain_graph`: once a node has pushed its gradient into its
    /// parents, its gradient, its backward closure (and whatever the closure saved) and
    /// its links are dropped, so the memory of a training step falls during the backward
    /// pass instead of holding every activation's gradient until the end.
    public func backward(seed: [Float]? = nil) {
        require(seed != nil || count == 1, "backward() without a seed needs a scalar, got \(shape)")
        guard requiresGradient else { return }
        var order: [Tensor?] = topologicalOrder()
        accumulateGradient(seed ?? [1])
        let check = ProcessInfo.processInfo.environment["LIP_CHECK_FINITE"] == "1"
        for index in order.indices.reversed() {
            guard let node = order[index] else { continue }
            // Children come later in `order`, so this node's gradient is complete here.
            if let function = node.backwardFunction, node.gradient != nil {
                if OperationProfile.isEnabled {
                    let start = DispatchTime.now().uptimeNanoseconds
                    function(node)
                    OperationProfile.recordBackward(node.operation, shape: node.shape,
                                                    seconds: Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9)
                } else {
                    function(node)
                }
                if check {
                    for parent in node.parents where parent.gradient?.contains(where: { !$0.isFinite }) == true {
                        print("non-finite gradient into \(parent.shape) from a node of shape \(node.shape); node gradient finite: \(node.gradient!.allSatisfy(\.isFinite)); parent values finite: \(parent.data.allSatisfy(\.isFinite))")
                    }
                }
            }
            if node.backwardFunction != nil {
                node.backwardFunction = nil
                node.parents = []
                node.gradient = nil  // intermediate gradients are not kept
            }
            order[index] = nil
        }
    }

    /// Nodes reachable from self that need a gradient, parents before children.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS: the DIP graph is hundreds of nodes deep.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            if !visited.insert(ObjectIdentifier(node)).inserted { continue }
            stack.append((node, true))
            for parent in node.parents where parent.requiresGradient {
                if !visited.contains(ObjectIdentifier(parent)) { stack.append((parent, false)) }
            }
        }
        return order
    }
}
