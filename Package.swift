// swift-tools-version:6.0
import PackageDescription
import Foundation

// Hot loops want AVX2/FMA, which plain `-O` does not emit. The binaries run on the machine
// that builds them, so target its CPU unless LIP_PORTABLE=1 asks for a generic build.
let portable = ProcessInfo.processInfo.environment["LIP_PORTABLE"] == "1"
let cpuFlags: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-target-cpu", "native"])]
let cpuCFlags: [CSetting] = portable ? [] : [.unsafeFlags(["-march=native"])]

let package = Package(
    name: "LIP",
    products: [
        .executable(name: "lip", targets: ["lip"]),
        // Dynamic, so that compiled notebooks link against the same build of the core.
        .library(name: "LIP", type: .dynamic, targets: ["Store", "Evidence", "TensorKit", "Networks", "ImageIO", "LIPCore", "Plotting", "NotebookRuntime", "Experiments",
                                                            "GenerativePrior"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "PNGShim", dependencies: ["CLibPNG"], cSettings: cpuCFlags),
        .target(name: "CSupport"),
        // Result identity and integrity: hashing, canonical JSON, atomic writes.
        .target(name: "Store"),
        .target(name: "TensorKit", dependencies: ["Store", "CBLAS", "CSupport"], swiftSettings: cpuFlags),
        .target(name: "Networks", dependencies: ["Store", "TensorKit"], swiftSettings: cpuFlags),
        .target(name: "ImageIO", dependencies: ["Store", "PNGShim"], swiftSettings: cpuFlags),
        .target(name: "LIPCore", dependencies: ["Store", "TensorKit", "Networks", "ImageIO"],
                swiftSettings: cpuFlags),
        .target(name: "Plotting", dependencies: ["ImageIO"]),
        // The statistics of claims: paired comparisons, intervals, Student's t, Holm.
        .target(name: "Evidence"),
        .target(name: "NotebookRuntime", dependencies: ["Store", "Evidence", "Plotting", "CSupport"]),
        .target(name: "Experiments", dependencies: ["Store", "Evidence", "LIPCore", "TensorKit", "Networks", "ImageIO", "Plotting"]),
        // The generative prior: Fashion-MNIST, a DCGAN trained here, compressive sensing and
        // its lottery tickets. Its own target, so that its changes leave the DIP's
        // numerics (and every stored search) as they are.
        .target(name: "GenerativePrior", dependencies: ["CZlib", "CBLAS", "Store", "TensorKit", "Networks", "ImageIO", "LIPCore"],
                swiftSettings: cpuFlags),
        .target(name: "NotebookRunner", dependencies: [
            "Store", "Evidence", "CBLAS", "CSupport", "NotebookRuntime", "Plotting", .product(name: "Yams", package: "Yams"), .product(name: "Ink", package: "Ink"),
        ]),
        .executableTarget(name: "lip", dependencies: [
            "Store", "Evidence", "LIPCore", "TensorKit", "Networks", "ImageIO", "CSupport", "NotebookRunner", "NotebookRuntime", "Experiments",
            "GenerativePrior", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: cpuFlags),
        // A seeded mutation fuzzer for the PNG, safetensors and .swiftmd readers.
        .executableTarget(name: "lip-fuzz", dependencies: ["CSupport", "Store", "ImageIO", "Networks", "NotebookRunner"],
                          swiftSettings: cpuFlags),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        // Runs the release `lip` against hostile input (build it first).
        .testTarget(name: "CLITests", dependencies: ["ImageIO"]),
        .testTarget(name: "TensorKitTests", dependencies: ["TensorKit"], swiftSettings: cpuFlags),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "TensorKit"], exclude: ["Fixtures"],
                    swiftSettings: cpuFlags),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"], exclude: ["Fixtures"],
                    swiftSettings: cpuFlags),
        .testTarget(name: "LIPCoreTests", dependencies: ["LIPCore", "Networks", "TensorKit", "ImageIO"], exclude: ["Fixtures"],
                    swiftSettings: cpuFlags),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "ImageIO"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "LIPCore", "ImageIO"]),
        .testTarget(name: "GenerativePriorTests", dependencies: ["GenerativePrior", "TensorKit", "Networks"],
                    exclude: ["Fixtures"], swiftSettings: cpuFlags),
        .testTarget(name: "NotebookRunnerTests", dependencies: ["NotebookRunner", "NotebookRuntime", "Evidence", "Plotting"]),
    ],
    // Kernels hand raw buffer pointers to worker threads; Swift 5 mode keeps that legal
    // without wrapping every pointer in an @unchecked Sendable box.
    swiftLanguageModes: [.v5]
)
