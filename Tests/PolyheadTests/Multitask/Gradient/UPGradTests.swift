import XCTest
@testable import Polyhead

/// UPGrad against brute-force projections of each (1/T-scaled) gradient onto the dual cone.
final class UPGradTests: XCTestCase {
    private func reference(_ rows: [[Float]]) -> [Double] {
        let g = rows.map { $0.map(Double.init) }
        var sum = [Double](repeating: 0, count: g[0].count)
        for row in g {
            let projection = bruteForceConeProjection(row.map { $0 / Double(g.count) }, rows: g)
            for k in sum.indices { sum[k] += projection[k] }
        }
        return sum
    }

    func testSumOfProjectionsMatchesBruteForce() throws {
        let cases: [[[Float]]] = [
            [[1, 0], [-1, 1]],                                   // two conflicting
            [[1, 0, 0], [-0.5, 1, 0], [-0.2, -0.3, 1]],          // three in 3-D
            [[2, 1], [-1, 0.5], [0.3, -1]],                      // three in 2-D (rank-deficient Gram)
            [[1, 2, 0, -1], [-2, 0.5, 1, 0], [0, -1, 3, 1], [1, 1, -1, 2]],
        ]
        for rows in cases {
            let jacobian = try TaskJacobian(rows: rows)
            let result = try makeAggregator("upgrad", taskCount: rows.count, options: ["reg_eps": 1e-12])
                .aggregate(jacobian)
            assertClose(result.direction.map(Double.init), reference(rows), tolerance: 1e-5, "\(rows)")
            assertConsistent(result, jacobian)
            // No task conflicts with the update.
            for task in 0..<rows.count { XCTAssertGreaterThanOrEqual(jacobian.dot(task, result.direction), -1e-5) }
        }
    }

    func testDefaultRegularisationStaysCloseAndNonConflictingGradientsGiveTheMean() throws {
        let rows: [[Float]] = [[1, 0], [-1, 1]]
        let result = try makeAggregator("upgrad", taskCount: 2).aggregate(try TaskJacobian(rows: rows))
        assertClose(result.direction.map(Double.init), reference(rows), tolerance: 1e-3)
        let agreeing = try makeAggregator("upgrad", taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 2], [2, 1]]))
        assertClose(agreeing.direction.map(Double.init), [1.5, 1.5], tolerance: 1e-6)
        assertClose(agreeing.weights, [0.5, 0.5], tolerance: 1e-6)
    }

    func testPreferenceVectorScalesTheProjectedGradients() throws {
        let rows: [[Float]] = [[1, 0], [-1, 1]]
        let result = try makeAggregator("upgrad", taskCount: 2, options: ["pref0": 1, "pref1": 3, "reg_eps": 1e-12])
            .aggregate(try TaskJacobian(rows: rows))
        let g = rows.map { $0.map(Double.init) }
        let want = zip(bruteForceConeProjection(g[0], rows: g), bruteForceConeProjection(g[1].map { 3 * $0 }, rows: g))
            .map { $0 + $1 }
        assertClose(result.direction.map(Double.init), want, tolerance: 1e-5)
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            let jacobian = try TaskJacobian(rows: rows)
            let result = try makeAggregator("upgrad", taskCount: rows.count).aggregate(jacobian)
            assertConsistent(result, jacobian, label)
        }
        let opposite = try makeAggregator("upgrad", taskCount: 2).aggregate(try TaskJacobian(rows: [[1, 0], [-1, 0]]))
        assertClose(opposite.direction.map(Double.init), [0, 0], tolerance: 1e-6)
        let single = try makeAggregator("upgrad", taskCount: 1).aggregate(try TaskJacobian(rows: [[3, -4]]))
        assertClose(single.direction.map(Double.init), [3, -4], tolerance: 1e-6)
    }

    func testOptionsAreValidated() {
        assertThrows(.invalidArgument, op: "upgrad", mentions: ["reg_eps=-1"]) {
            try MultiTaskMethods.make("upgrad", taskCount: 2, options: ["reg_eps": -1])
        }
    }
}
