import XCTest
@testable import Polyhead

/// Every architecture names its submodules with exactly the prefixes of its parameters, so its buffers
/// (batch normalization's running statistics) get PyTorch's names, and a trained model with batch
/// normalization in every part keeps its evaluation predictions through `saveParameters` / `loadParameters`.
final class ArchitectureStateTests: TemporaryDirectoryTestCase {
    /// Linear(width, 4), BatchNorm1d(4).
    private func block(_ width: Int) throws -> any Layer { Sequential(try Linear(width, 4), try BatchNorm1d(4)) }

    /// MTAN on (N, 1, 4, 4): conv stages with batch normalization, heads flatten + Linear.
    private func mtan() throws -> MTAN {
        try MTAN(
            backbone: [Sequential(try Conv2d(1, 2, kernelSize: 3, padding: 1), try BatchNorm2d(2), ReLU()),
                       Sequential(MaxPool2d(2), try Conv2d(2, 3, kernelSize: 3, padding: 1), ReLU())],
            channels: [2, 3],
            heads: [("a", Sequential(Flatten(), try Linear(12, 2))), ("b", Sequential(Flatten(), try Linear(12, 1)))])
    }

    private var recipes: [(String, () throws -> any MultiTaskModel)] {
        architectureRecipes(block: block) + [("MTAN", mtan)]
    }

    func testSubmoduleNamesArePrefixesOfTheParameters() throws {
        for (name, make) in recipes { checkSubmoduleNames(try make(), name) }
    }

    func testBuffersAreNamedByTheirPath() throws {
        let model = try HardSharing(trunk: try block(5), heads: [("a", try block(4)), ("b", try Linear(4, 1))])
        let statistics = ["running_mean", "running_var", "num_batches_tracked"]
        XCTAssertEqual(model.namedBuffers.map(\.name),
                       statistics.map { "trunk.1.\($0)" } + statistics.map { "heads.a.1.\($0)" })
        let attention = try mtan().namedBuffers.map(\.name).filter { $0.hasPrefix("attention.b.0.") }
        XCTAssertEqual(attention, ["mask.1", "mask.4", "block.1"].flatMap { layer in
            statistics.map { "attention.b.0.\(layer).\($0)" }
        })
    }

    func testTrainedModelsKeepTheirPredictionsThroughAFile() throws {
        var seed: UInt64 = 0
        for (name, make) in recipes {
            let x = try Tensor.randn(name == "MTAN" ? [4, 1, 4, 4] : [4, 5])
            try checkStateRoundTrip(name, directory: directory) {
                seed += 1
                manualSeed(seed)
                let model = try make()
                return (model, { try model(x).map(\.output) })
            }
        }
    }

    /// Checks at every container inside `module` that the parameters of each submodule, prefixed by its
    /// name, are the container's parameters of those names (same tensors, same order), and that the
    /// container's other parameters are its own (undotted names).
    private func checkSubmoduleNames(_ module: any Module, _ path: String) {
        guard let container = module as? any ModuleContainer else { return }
        let derived = container.collected(\.namedParameters)
        let derivedNames = Set(derived.map(\.name))
        XCTAssertFalse(derived.isEmpty, path)
        let own = module.namedParameters
        XCTAssertEqual(own.map(\.name).filter(derivedNames.contains), derived.map(\.name), path)
        XCTAssertEqual(own.filter { derivedNames.contains($0.name) }.map { ObjectIdentifier($0.tensor) },
                       derived.map { ObjectIdentifier($0.tensor) }, path)
        XCTAssertEqual(own.map(\.name).filter { !derivedNames.contains($0) && $0.contains(".") }, [], path)
        for child in container.namedSubmodules { checkSubmoduleNames(child.module, "\(path).\(child.name)") }
    }
}
