import XCTest
@testable import Polyhead

/// Smooth Tchebycheff (Lin et al. 2024), LibMTL's form: warm-up on Σ log L, nadir from epoch W, then
/// `T μ log Σ exp(log(Lᵢ/nᵢ)/μ)`.
final class STCHTests: XCTestCase {
    /// `T μ log Σ (Lᵢ/nᵢ)^(1/μ)` and its gradient `T (Lᵢ/nᵢ)^(1/μ) / Σ (Lⱼ/nⱼ)^(1/μ) / Lᵢ`, in Double.
    private func reference(_ values: [Double], nadir: [Double], mu: Double) -> (Double, [Double]) {
        let t = Double(values.count)
        let powers = zip(values, nadir).map { Foundation.pow($0 / $1, 1 / mu) }
        let total = powers.reduce(0, +)
        return (t * mu * Foundation.log(total), values.indices.map { t * powers[$0] / total / values[$0] })
    }

    private func check(_ method: any MultiTaskMethod, _ values: [Double], nadir: [Double], mu: Double,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let losses = try leafLosses(values)
        let (objective, weights) = try (method as! STCH).objective(losses: losses, shared: noSharedPart)
        try objective.backward()
        let (value, gradient) = reference(values, nadir: nadir, mu: mu)
        assertScalar(objective, value, tolerance: 1e-5, file: file, line: line)
        assertClose(weights, gradient, tolerance: 1e-6, file: file, line: line)
        assertClose(leafGradients(losses), gradient, tolerance: 1e-4, file: file, line: line)
    }

    func testWithoutWarmUpTheObjectiveIsTheSmoothMaximumOfTheLogLosses() throws {
        for mu in [1.0, 0.5, 0.1] {
            let method = try MultiTaskMethods.make("stch", taskCount: 3, options: ["mu": mu, "warmup_epochs": -1])
            try check(method, [0.5, 2.0, 1.5], nadir: [1, 1, 1], mu: mu)
        }
    }

    func testWarmUpThenNadirFromEpochW() throws {
        let method = try MultiTaskMethods.make("stch", taskCount: 2, options: ["warmup_epochs": 1])
        // Epoch 0: Σ log L, gradient 1/L.
        let (weights, gradients) = try stepOnLeaves(method, [0.5, 4])
        assertClose(weights, [2, 0.25], tolerance: 1e-6)
        assertClose(gradients, [2, 0.25], tolerance: 1e-5)
        method.endEpoch()
        // Epoch 1 = W: same objective, losses averaged into the nadir (2, 3).
        _ = try stepOnLeaves(method, [1, 4])
        _ = try stepOnLeaves(method, [3, 2])
        method.endEpoch()
        try check(method, [1, 6], nadir: [2, 3], mu: 1)
        XCTAssertEqual((method as! STCH).nadir, [2, 3])
        method.endEpoch()
        try check(method, [0.5, 0.1], nadir: [2, 3], mu: 1)
    }

    func testDefaultsZeroAndTinyLossesTinyMuAndOptionChecks() throws {
        let method = try XCTUnwrap(try MultiTaskMethods.make("stch", taskCount: 4) as? STCH)
        XCTAssertEqual(method.mu, 1)
        XCTAssertEqual(method.warmupEpochs, 4)
        for _ in 0..<6 {
            let (weights, gradients) = try stepOnLeaves(method, [0, 1e-30, 2, 3])
            XCTAssertTrue((weights + gradients).allSatisfy(\.isFinite), "\(weights) \(gradients)")
            method.endEpoch()
        }
        let sharp = try STCH(taskCount: 2, mu: 1e-3, warmupEpochs: -1)
        let (weights, gradients) = try stepOnLeaves(sharp, [1e-30, 5])
        XCTAssertTrue((weights + gradients).allSatisfy(\.isFinite), "\(weights) \(gradients)")
        assertClose(weights, [0, 2 / 5.0], tolerance: 1e-6)   // the larger loss takes the whole max
        XCTAssertEqual(try stepOnLeaves(STCH(taskCount: 1, warmupEpochs: -1), [3]).weights[0], 1 / 3, accuracy: 1e-8)
        assertThrows(.invalidArgument, op: "stch", mentions: ["warmup_epochs=1.5"]) {
            try MultiTaskMethods.make("stch", taskCount: 2, options: ["warmup_epochs": 1.5])
        }
        assertThrows(.invalidArgument, op: "stch", mentions: ["mu=0"]) {
            try MultiTaskMethods.make("stch", taskCount: 2, options: ["mu": 0])
        }
    }
}
