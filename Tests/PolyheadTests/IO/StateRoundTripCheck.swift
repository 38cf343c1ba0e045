// The save/load check shared by the layer and architecture tests: a model with batch normalization trained
// for a few steps keeps its predictions (parameters *and* running statistics) through a safetensors file.

import XCTest
@testable import Polyhead

/// Trains the model `make()` builds (with a function giving its outputs on a fixed input) for three SGD
/// steps in training mode (which also moves the batch statistics), saves it with `saveParameters`, loads
/// the file into a second `make()` (other weights, fresh statistics) and checks that both give bit-identical
/// outputs in evaluation mode. Also checks that the parameters alone are not enough: a file without the
/// buffers fails a strict load naming the first missing buffer, and a lenient load of it leaves the
/// evaluation outputs different.
/// - Parameter directory: where the files go.
func checkStateRoundTrip(
    _ label: String, directory: String, make: () throws -> (model: any Module, outputs: () throws -> [Tensor]),
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let (trained, trainedOutputs) = try make()
    XCTAssertFalse(trained.namedBuffers.isEmpty, "\(label): the model has buffers", file: file, line: line)
    let optimizer = try SGD(parameters: trained.parameters, learningRate: 0.1)
    for _ in 0..<3 {
        let loss = try trainedOutputs().reduce(Tensor(0)) { try $0 + ($1 * $1).mean() }
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
    }
    trained.eval()
    let expected = try trainedOutputs().map(\.scalars)

    let path = directory + "/\(label).safetensors"
    try trained.saveParameters(to: path)
    let (restored, restoredOutputs) = try make()
    let result = try restored.loadParameters(from: path)
    XCTAssertTrue(result.missing.isEmpty && result.unexpected.isEmpty, label, file: file, line: line)
    restored.eval()
    XCTAssertEqual(try restoredOutputs().map(\.scalars), expected, "\(label): same predictions after loading",
                   file: file, line: line)
    XCTAssertEqual(try loadSafetensors(from: path).tensors.map(\.name).sorted(),
                   trained.namedState.map(\.name).sorted(), label, file: file, line: line)

    let parametersOnly = directory + "/\(label)-parameters.safetensors"
    try saveSafetensors(trained.namedParameters, to: parametersOnly)
    let (partial, partialOutputs) = try make()
    let firstBuffer = partial.namedBuffers[0].name
    assertThrows(.invalidArgument, op: "load_parameters", mentions: ["missing \"\(firstBuffer)\""], label,
                 file: file, line: line) { try partial.loadParameters(from: parametersOnly) }
    XCTAssertEqual(try partial.loadParameters(from: parametersOnly, strict: false).missing,
                   partial.namedBuffers.map(\.name), label, file: file, line: line)
    partial.eval()
    XCTAssertNotEqual(try partialOutputs().map(\.scalars), expected, "\(label): the buffers matter",
                      file: file, line: line)
}
