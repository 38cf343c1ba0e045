import XCTest
@testable import Polyhead

final class BackwardTests: XCTestCase {
    func testGradientsAccumulateOverTwoBackwardCalls() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        try (x * x).sum().backward()
        assertClose(gradient(of: x), [2, 4, 6])
        try (x * 3).sum().backward()
        assertClose(gradient(of: x), [5, 7, 9], "second pass adds 3 to 2x")
    }

    func testZeroingByClearingGrad() throws {
        let x = try T([1, 2], requiresGrad: true)
        try x.sum().backward()
        try x.setGrad(nil)
        XCTAssertNil(x.grad)
        try (x * 2).sum().backward()
        assertClose(gradient(of: x), [2, 2])
    }

    func testRetainGraphAllowsTwoBackwardPassesOverOneForward() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        let h = try x.exp()
        let loss = try (h * x).sum()  // d/dx = eˣ(1 + x)
        try loss.backward(retainGraph: true)
        let once = gradient(of: x)
        assertClose(once, [1, 2, 3].map { Foundation.exp($0) * (1 + $0) }, tolerance: 1e-5)
        try loss.backward()
        assertClose(gradient(of: x), once.map { 2 * $0 }, tolerance: 1e-5)
    }

    func testTwoLossesSharingATrunkWithRetainGraph() throws {
        // The MTL pattern: one forward, one backward per task.
        let w = try T([0.5, -1], [2, 1], requiresGrad: true)
        let x = try T([1, 2, 3, 4], [2, 2])
        let shared = try x.matmul(w)  // (2, 1) = [-1.5, -2.5]
        let taskA = try shared.sum(), taskB = try (shared * shared).sum()
        try taskA.backward(retainGraph: true)
        assertClose(gradient(of: w), [4, 6])
        try w.setGrad(nil)
        try taskB.backward()
        // d/dw Σ s² = 2 xᵀ s = 2 [1·-1.5 + 3·-2.5, 2·-1.5 + 4·-2.5] = [-18, -26]
        assertClose(gradient(of: w), [-18, -26])
    }

    func testSecondBackwardWithoutRetainGraphThrows() throws {
        let x = try T([1, 2], requiresGrad: true)
        let loss = try (x * x).sum()
        try loss.backward()
        assertThrows(.invalidState, op: "backward", mentions: ["second time", "retain"]) { try loss.backward() }
        assertClose(gradient(of: x), [2, 4], "the failed pass must not touch the gradient")
    }

    func testBackwardThroughAFreedIntermediateThrows() throws {
        let x = try T([1, 2], requiresGrad: true)
        let h = try x * 2
        try h.sum().backward()
        assertThrows(.invalidState, op: "backward") { try (h * 3).sum().backward() }
    }

    func testNonScalarBackwardWithoutSeedThrows() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        assertThrows(.invalidState, op: "backward", mentions: ["(3,)"]) { try (x * 2).backward() }
        XCTAssertNil(x.grad)
    }

    func testBackwardWithSeed() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        try (x * x).backward(seed: T([1, 0.5, -1]))
        assertClose(gradient(of: x), [2, 2, -6])
    }

    func testOneElementNonScalarBackwardNeedsNoSeed() throws {
        let x = try T([3], [1, 1], requiresGrad: true)
        try (x * x).backward()
        assertClose(gradient(of: x), [6])
    }

    func testMisShapedSeedThrows() throws {
        let x = try T([1, 2, 3], requiresGrad: true)
        assertThrows(.shapeMismatch, op: "backward", mentions: ["(3, 1)", "(3,)"]) { try (x * 2).backward(seed: Tensor.ones([3, 1])) }
    }

    func testBackwardOnATensorWithoutHistoryThrows() {
        assertThrows(.invalidState, op: "backward") { try T([1]).backward() }
        assertThrows(.invalidState, op: "backward") { try (T([1]) * 2).backward() }
    }

    func testBackwardOnALeaf() throws {
        let x = try T([4], requiresGrad: true)
        try x.backward()
        assertClose(gradient(of: x), [1])
    }

    func testFanOutAccumulates() throws {
        // x is used three times: y = x·x + 3x → dy/dx = 2x + 3.
        let x = try T([1, -2, 0.5], requiresGrad: true)
        try (x * x + x * 3).sum().backward()
        assertClose(gradient(of: x), [5, -1, 4])
        // Diamond: a = 2x, b = a·a, c = a + b → dc/dx = 2 + 8x.
        let z = try T([1, 2], requiresGrad: true)
        let a = try z * 2
        try (a + a * a).sum().backward()
        assertClose(gradient(of: z), [10, 18])
    }

    func testGradientsOfDifferentLeavesAreIndependentTensors() throws {
        // PyTorch gives every leaf its own .grad; writing into one must not change another (or the seed).
        let x = try T([1, 2], requiresGrad: true), y = try T([3, 4], requiresGrad: true)
        try (x + y).sum().backward()
        let gx = try XCTUnwrap(x.grad), gy = try XCTUnwrap(y.grad)
        XCTAssertFalse(gx === gy, "x.grad and y.grad are the same object")
        gx.withUnsafeMutableBufferPointer { $0[0] = 100 }
        XCTAssertEqual(gy.scalars, [1, 1], "writing into x.grad changed y.grad")

        let seed = try T([1, 1])
        let z = try T([5, 6], requiresGrad: true)
        try z.cloned().backward(seed: seed)
        try XCTUnwrap(z.grad).withUnsafeMutableBufferPointer { $0[1] = -7 }
        XCTAssertEqual(seed.scalars, [1, 1], "writing into z.grad changed the caller's seed")
    }

    func testInputsThatDoNotRequireGradGetNone() throws {
        let x = try T([1, 2], requiresGrad: true), c = try T([3, 4])
        try (x * c).sum().backward()
        XCTAssertNil(c.grad)
        XCTAssertNotNil(x.grad)
    }

    func testLeafAndComputedState() throws {
        let x = try T([1], requiresGrad: true)
        XCTAssertTrue(x.isLeaf)
        let y = try x * 2
        XCTAssertFalse(y.isLeaf)
        XCTAssertTrue(y.requiresGrad)
        let constant = try T([1]) * 2
        XCTAssertFalse(constant.requiresGrad, "ops on tensors without grad record nothing")
        XCTAssertTrue(constant.isLeaf)
    }

    func testSetRequiresGradOnNonLeafThrows() throws {
        let x = try T([1], requiresGrad: true)
        let y = try x * 2
        assertThrows(.invalidState, op: "requires_grad", mentions: ["leaf"]) { try y.setRequiresGrad(false) }
        try y.sum().backward()
        assertThrows(.invalidState, op: "requires_grad", mentions: ["leaf"], "still not a leaf after backward") {
            try y.setRequiresGrad(false)
        }
        let leaf = try T([1])
        try leaf.setRequiresGrad(true)
        XCTAssertTrue(leaf.requiresGrad)
        try leaf.setRequiresGrad(false)
        XCTAssertFalse(leaf.requiresGrad)
    }

    func testSetGradChecksShape() throws {
        let x = try T([1, 2], requiresGrad: true)
        try x.setGrad(T([3, 4]))
        assertClose(gradient(of: x), [3, 4])
        assertThrows(.shapeMismatch, op: "grad", mentions: ["(1, 2)", "(2,)"]) { try x.setGrad(Tensor.zeros([1, 2])) }
    }

    func testGraphIsFreedAfterBackward() throws {
        // Everything a graph allocated is released once the caller drops it (no cycles).
        let x = try T([1, 2, 3], requiresGrad: true)
        let baseline = liveObjectCount
        do {
            let loss = try ((x * 2).exp() + x).sum()
            try loss.backward()
        }
        try x.setGrad(nil)
        XCTAssertEqual(liveObjectCount, baseline)
        do {
            let loss = try ((x * 2).exp() + x).sum()
            try loss.backward(retainGraph: true)
        }
        try x.setGrad(nil)
        XCTAssertEqual(liveObjectCount, baseline, "a retained graph is freed with its output")
    }
}
