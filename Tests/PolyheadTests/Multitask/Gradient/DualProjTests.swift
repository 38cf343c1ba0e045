import XCTest
@testable import Polyhead

/// DualProj against a brute-force projection of the mean gradient onto the dual cone.
final class DualProjTests: XCTestCase {
    func testProjectionOfTheMeanMatchesBruteForce() throws {
        let cases: [[[Float]]] = [
            [[1, 0], [-2, 1]],
            [[1, 0, 0], [-0.5, 1, 0], [-0.2, -0.3, 1]],
            [[2, 1], [-3, 0.5], [0.3, -1]],
            [[1, 2, 0, -1], [-2, 0.5, 1, 0], [0, -1, 3, 1], [1, 1, -1, 2]],
        ]
        for rows in cases {
            let jacobian = try TaskJacobian(rows: rows)
            let g = rows.map { $0.map(Double.init) }
            let mean = (0..<g[0].count).map { k in g.reduce(0.0) { $0 + $1[k] } / Double(g.count) }
            let result = try makeAggregator("dualproj", taskCount: rows.count, options: ["reg_eps": 1e-12])
                .aggregate(jacobian)
            assertClose(result.direction.map(Double.init), bruteForceConeProjection(mean, rows: g), tolerance: 1e-5,
                        "\(rows)")
            assertConsistent(result, jacobian)
        }
    }

    func testMeanInsideTheConeIsKept() throws {
        let result = try makeAggregator("dualproj", taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 2], [2, 1]]))
        assertClose(result.direction.map(Double.init), [1.5, 1.5], tolerance: 1e-6)
        assertClose(result.weights, [0.5, 0.5], tolerance: 1e-6)
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            let jacobian = try TaskJacobian(rows: rows)
            assertConsistent(try makeAggregator("dualproj", taskCount: rows.count).aggregate(jacobian), jacobian, label)
        }
        // A tiny Jacobian (below norm_eps) is left as the mean.
        let tiny = try makeAggregator("dualproj", taskCount: 2).aggregate(try TaskJacobian(rows: [[1e-3, 0], [-1e-3, 0]]))
        assertClose(tiny.weights, [0.5, 0.5], tolerance: 1e-9)
    }
}
