import XCTest
@testable import Polyhead

/// `Module.saveParameters` / `loadParameters`: same predictions after a round trip (batch normalization's
/// running statistics included), copies in place, clear errors for mismatches, nothing copied on error.
final class ModuleParametersTests: TemporaryDirectoryTestCase {
    private func model(seed: UInt64) throws -> Sequential {
        manualSeed(seed)
        return Sequential(try Linear(4, 8), ReLU(), try Linear(8, 3))
    }

    func testRoundTripGivesIdenticalOutputsAndKeepsParameterObjects() throws {
        let trained = try model(seed: 1), fresh = try model(seed: 2)
        let input = try counting([5, 4])
        let file = path("model.safetensors")
        try trained.saveParameters(to: file)
        let before = fresh.parameters.map(ObjectIdentifier.init)
        XCTAssertNotEqual(try fresh(input).scalars, try trained(input).scalars)
        let result = try fresh.loadParameters(from: file)
        XCTAssertEqual(result.missing, [])
        XCTAssertEqual(result.unexpected, [])
        XCTAssertEqual(fresh.parameters.map(ObjectIdentifier.init), before, "copied in place")
        XCTAssertTrue(fresh.parameters.allSatisfy(\.requiresGrad))
        XCTAssertEqual(try fresh(input).scalars, try trained(input).scalars)
        let stored = try loadSafetensors(from: file)
        XCTAssertEqual(stored.tensors.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(stored.tensors[0].tensor.shape, [8, 4], "PyTorch layout (out, in)")
        XCTAssertEqual(stored.metadata, ["format": "pt"])
    }

    func testShapeMismatchNamesFileKeyAndShapesAndCopiesNothing() throws {
        let file = path("model.safetensors")
        try model(seed: 1).saveParameters(to: file)
        manualSeed(3)
        let wider = Sequential(try Linear(4, 8), ReLU(), try Linear(8, 5))
        let before = wider.parameters.map(\.scalars)
        assertThrows(.shapeMismatch, op: "load_parameters", mentions: [file, "\"2.weight\"", "(3, 8)", "(5, 8)"]) {
            try wider.loadParameters(from: file)
        }
        XCTAssertEqual(wider.parameters.map(\.scalars), before)
    }

    func testStrictReportsMissingAndUnexpectedNames() throws {
        let file = path("model.safetensors")
        try model(seed: 1).saveParameters(to: file)
        manualSeed(4)
        let shorter = Sequential(try Linear(4, 8))
        let longer = Sequential(try Linear(4, 8), ReLU(), try Linear(8, 3), try Linear(3, 1))
        assertThrows(.invalidArgument, op: "load_parameters", mentions: [file, "unexpected \"2.weight\", \"2.bias\""]) {
            try shorter.loadParameters(from: file)
        }
        assertThrows(.invalidArgument, op: "load_parameters", mentions: ["missing \"3.weight\", \"3.bias\""]) {
            try longer.loadParameters(from: file)
        }
        let lenient = try shorter.loadParameters(from: file, strict: false)
        XCTAssertEqual(lenient.unexpected, ["2.weight", "2.bias"])
        XCTAssertEqual(lenient.missing, [])
        XCTAssertEqual(try longer.loadParameters(from: file, strict: false).missing, ["3.weight", "3.bias"])
    }

    func testBatchNormStatisticsSurviveTheRoundTrip() throws {
        let input = try counting([6, 4])
        var seed: UInt64 = 10
        try checkStateRoundTrip("sequential", directory: directory) {
            seed += 1
            manualSeed(seed)
            let model = Sequential(try Linear(4, 8), try BatchNorm1d(8), ReLU(), try Linear(8, 3))
            return (model, { [try model(input)] })
        }
        let stored = try loadSafetensors(from: path("sequential.safetensors")).tensors
        XCTAssertEqual(Set(stored.map(\.name)), ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                                "1.num_batches_tracked", "3.weight", "3.bias"])
        XCTAssertEqual(stored.first { $0.name == "1.num_batches_tracked" }?.tensor.scalars, [3], "three training steps")
        XCTAssertEqual(stored.first { $0.name == "1.num_batches_tracked" }?.tensor.shape, [], "a scalar, as in PyTorch")
    }

    func testCumulativeAverageResumesFromTheSavedBatchCount() throws {
        let x = try counting([4, 2]), y = try T([1, -2, 0, 5, 3, 3, -1, 0], [4, 2])
        let first = try BatchNorm1d(2, momentum: nil), second = try BatchNorm1d(2, momentum: nil)
        _ = try first(x)
        _ = try first(x)
        try first.saveParameters(to: path("bn.safetensors"))
        try second.loadParameters(from: path("bn.safetensors"))
        XCTAssertEqual(second.numBatchesTracked, 2)
        _ = try first(y)
        _ = try second(y)
        XCTAssertEqual(second.runningMean?.scalars, first.runningMean?.scalars, "weight 1/3 for the third batch")
        XCTAssertEqual(second.runningVariance?.scalars, first.runningVariance?.scalars)
    }
}
