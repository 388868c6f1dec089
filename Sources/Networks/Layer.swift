import TensorKit

/// A network module. Modules form a tree whose child names follow the PyTorch reference
/// module by module, so that the dotted path of every parameter is exactly its
/// `state_dict` key (e.g. `1.1.1.1.weight`).
public protocol Layer: AnyObject {
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Children in registration order, with their PyTorch names.
    var children: [(name: String, layer: any Layer)] { get }
    /// This module's own trainable tensors (name, tensor), e.g. ("weight", W).
    var localParameters: [(name: String, tensor: Tensor)] { get }
    /// One line describing the module, as PyTorch's repr would.
    var summary: String { get }
}

extension Layer {
    public var children: [(name: String, layer: any Layer)] { [] }
    public var localParameters: [(name: String, tensor: Tensor)] { [] }

    /// Every module of the tree, depth first, with its dotted path ("" for the root).
    public func namedModules(prefix: String = "") -> [(path: String, layer: any Layer)] {
        var result: [(path: String, layer: any Layer)] = [(prefix, self)]
        for (name, child) in children {
            result += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return result
    }

    /// Every trainable tensor with its `state_dict` key, in PyTorch's order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { module in
            module.layer.localParameters.map { (module.path.isEmpty ? $0.name : "\(module.path).\($0.name)", $0.tensor) }
        }
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The convolutions, with their paths, in order.
    public var convolutions: [(path: String, layer: Conv2d)] {
        namedModules().compactMap { m in (m.layer as? Conv2d).map { (m.path, $0) } }
    }

    public var batchNorms: [(path: String, layer: BatchNorm2d)] {
        namedModules().compactMap { m in (m.layer as? BatchNorm2d).map { (m.path, $0) } }
    }

    /// Gives every convolution and `Sequential` of this tree `plan`, so that the whole
    /// network follows one policy (e.g. a benchmark sweeping the sparse thresholds).
    public func setPlan(_ plan: ConvolutionPlan) {
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d {
                conv.plan = plan
            } else if let sequential = module as? Sequential {
                sequential.plan = plan
            }
        }
    }
}

/// Applies children in order (`nn.Sequential`).
public final class Sequential: Layer {
    public private(set) var children: [(name: String, layer: any Layer)]

    /// Whether a batch norm + LeakyReLU pair runs fused (`fusesBatchNormAndLeakyReLU`);
    /// `ConvolutionPlan.standard` unless set, e.g. by `Layer.setPlan(_:)`.
    public var plan: ConvolutionPlan = .standard

    public init(_ children: [(name: String, layer: any Layer)] = []) { self.children = children }

    /// Appends a child named by its 1-based position, as DIP's `Module.add` does
    /// (`add_module(str(len(self) + 1), module)`).
    public func add(_ layer: any Layer) { children.append((String(children.count + 1), layer)) }

    /// Appends a child named by its 0-based position, as `nn.Sequential(*layers)` does.
    public func append(_ layer: any Layer) { children.append((String(children.count), layer)) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        var index = 0
        while index < children.count {
            let layer = children[index].layer
            // DIP's bn() then act(): one fused operation (see `normalizedThenLeakyReLU`) unless
            // the plan says otherwise.
            if plan.fusesBatchNormAndLeakyReLU, let norm = layer as? BatchNorm2d, index + 1 < children.count,
               let activation = children[index + 1].layer as? Activation, activation.kind == .leakyReLU,
               activation.linearization == nil,
               let y = norm.normalizedThenLeakyReLU(x, slope: Activation.leakySlope) {
                x = y
                index += 2
            } else {
                x = layer(x)
                index += 1
            }
        }
        return x
    }

    public var summary: String { "Sequential" }
}

/// Runs every child on the same input and concatenates along channels, center-cropping
/// to the smallest spatial size (DIP's `Concat(dim=1, ...)`, children named 0, 1, ...).
public final class Concat: Layer {
    public let children: [(name: String, layer: any Layer)]

    public init(_ layers: [any Layer]) {
        children = layers.enumerated().map { (String($0.offset), $0.element) }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        concatChannels(children.map { $0.layer(input) })
    }

    public var summary: String { "Concat(dim=1)" }
}
