import XCTest
@testable import Polyhead

final class ESMMTests: XCTestCase {
    private func model() throws -> ESMM {
        ESMM(shared: Sequential(try Linear(4, 3), ReLU()), ctrTower: try Linear(3, 1), cvrTower: try Linear(3, 1))
    }

    func testOutputsAreProbabilitiesWithCTCVRTheProduct() throws {
        let net = try model()
        let outputs = try net(try Tensor.randn([6, 4]))
        XCTAssertEqual(outputs.tasks, ["ctr", "ctcvr", "cvr"])
        XCTAssertEqual(net.tasks, ["ctr", "ctcvr"])
        XCTAssertEqual(outputs.map(\.output.shape), [[6, 1], [6, 1], [6, 1]])
        let (ctr, ctcvr, cvr) = (outputs["ctr"]!.scalars, outputs["ctcvr"]!.scalars, outputs["cvr"]!.scalars)
        for i in 0..<6 {
            XCTAssertTrue(ctr[i] > 0 && ctr[i] < 1 && cvr[i] > 0 && cvr[i] < 1)
            XCTAssertEqual(ctcvr[i], ctr[i] * cvr[i])
        }
    }

    func testPartition() throws {
        checkPartition(try model(), inputShape: [2, 4],
                       shared: ["shared.0.weight", "shared.0.bias", "ctr.weight", "ctr.bias"],
                       tasks: ["ctr": [], "ctcvr": ["cvr.weight", "cvr.bias"]], scalars: 15 + 4 + 4)
    }

    func testGradientsAgainstFloat64Reference() throws {
        checkModelGradients(try model(), inputShape: [3, 4]) { p, x in
            let h = x.linear(p, "shared.0").relu
            let ctr = h.linear(p, "ctr").sigmoid, cvr = h.linear(p, "cvr").sigmoid
            return [ctr, ctr * cvr, cvr]
        }
    }

    /// Trained on the entire space (clicks for ctr, click-and-convert for ctcvr), the model recovers a
    /// conversion rate it never saw labels for directly.
    func testEntireSpaceTrainingRecoversCVR() throws {
        manualSeed(1)
        let n = 256
        let x = try Tensor.randn([n, 4])
        let rows = x.scalars
        // p(click) = σ(2 x0), p(convert | click) = σ(2 x1); labels are the expectations (soft labels).
        let pClick = (0..<n).map { 1 / (1 + exp(-2 * rows[$0 * 4])) }
        let pConvert = (0..<n).map { 1 / (1 + exp(-2 * rows[$0 * 4 + 1])) }
        let click = try Tensor(pClick, shape: [n, 1]), both = try Tensor(zip(pClick, pConvert).map(*), shape: [n, 1])
        let net = ESMM(shared: Sequential(try Linear(4, 16), ReLU()), ctrTower: try Linear(16, 1), cvrTower: try Linear(16, 1))
        let optimizer = try Adam(parameters: net.parameters, learningRate: 0.03)
        for _ in 0..<300 {
            let outputs = try net(x)
            let loss = try binaryCrossEntropy(try outputs.output("ctr"), click) + binaryCrossEntropy(try outputs.output("ctcvr"), both)
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
        }
        let cvr = try net(x).output("cvr").scalars
        let error = zip(cvr, pConvert).map { abs($0 - $1) }.reduce(0, +) / Float(n)
        XCTAssertLessThan(error, 0.05)
    }

    func testSeededReproducibility() {
        checkSeededReproducibility(inputShape: [2, 4]) { try self.model() }
    }
}
