// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Polyhead",
    products: [
        // MARK: - Public API
        /// The Swift library: tensors, autodiff, layers, losses, optimizers, multi-task learning.
        .library(name: "Polyhead", targets: ["Polyhead"]),
        /// The C ABI as a static library; the CPython extension links it with `-static-stdlib`.
        .library(name: "PolyheadC", type: .static, targets: ["PolyheadC"]),
        /// Trains a fixed model for the cross-language tests and prints its losses.
        .executable(name: "polyhead-cross-check", targets: ["CrossCheck"]),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),

        // MARK: - Core
        .target(name: "Polyhead", dependencies: ["CBLAS", "PolyheadKernels"]),
        /// Element-wise optimizer kernels in C, where the square root vectorises.
        .target(name: "PolyheadKernels"),

        // MARK: - C ABI
        .target(name: "PolyheadC", dependencies: ["Polyhead"], exclude: ["include"]),

        // MARK: - Tools
        .executableTarget(name: "CrossCheck", dependencies: ["Polyhead"], path: "Tests/cross/CrossCheck"),

        // MARK: - Unit test bundles
        .testTarget(name: "PolyheadTests", dependencies: ["Polyhead"]),
        .testTarget(name: "PolyheadCTests", dependencies: ["PolyheadC", "Polyhead"]),
    ]
)
