import XCTest
@testable import Polyhead

/// GradVac against its published update written out on plain vectors in Double, over several steps.
final class GradVacTests: XCTestCase {
    /// One GradVac step on explicit vectors: for i, for j in `orders[i]`, raise cos(gᵢ', gⱼ) to φᵢⱼ.
    private func referenceStep(_ g: [[Double]], orders: [[Int]], targets: inout [[Double]], beta: Double) -> [Double] {
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var modified = g
        for i in g.indices {
            for j in orders[i] where j != i {
                let rho = dot(modified[i], g[j]) / (dot(modified[i], modified[i]).squareRoot() * dot(g[j], g[j]).squareRoot() + 1e-8)
                let phi = targets[i][j]
                if rho < phi {
                    let w = dot(modified[i], modified[i]).squareRoot() * (phi * (1 - rho * rho).squareRoot() - rho * (1 - phi * phi).squareRoot())
                        / (dot(g[j], g[j]).squareRoot() * (1 - phi * phi).squareRoot() + 1e-8)
                    modified[i] = zip(modified[i], g[j]).map { $0 + w * $1 }
                }
                targets[i][j] = (1 - beta) * phi + beta * rho
            }
        }
        return (0..<g[0].count).map { k in modified.reduce(0) { $0 + $1[k] } }
    }

    func testFirstStepProjectsConflictsLikePCGradAndSetsTheTargets() throws {
        let method = try makeAggregator("gradvac", taskCount: 2) as! GradVac
        let result = try method.aggregate(try TaskJacobian(rows: [[1, 0], [-1, 1]]))
        // Targets start at 0: g1' = g1 + ½ g2 = (0.5, 0.5), g2' = g2 + g1 = (0, 1).
        assertClose(result.direction.map(Double.init), [0.5, 1.5], tolerance: 1e-6)
        assertClose(result.weights, [2, 1.5], tolerance: 1e-6)
        let rho = -1 / 2.0.squareRoot()
        assertClose(method.targets.flatMap { $0 }, [0, 0.5 * rho, 0.5 * rho, 0], tolerance: 1e-7)
    }

    func testTwoStepsFollowTheMovingAverageTargets() throws {
        let steps: [[[Float]]] = [[[1, 0, 0.5], [-1, 1, 0]], [[0.5, -1, 1], [1, 1, -0.2]], [[1, 0.3, -1], [-0.6, 0.2, 1]]]
        let method = try makeAggregator("gradvac", taskCount: 2, options: ["beta": 0.3])
        var targets = [[0.0, 0], [0, 0]]
        for rows in steps {
            let result = try method.aggregate(try TaskJacobian(rows: rows))
            let want = referenceStep(rows.map { $0.map(Double.init) }, orders: [[1], [0]], targets: &targets, beta: 0.3)
            assertClose(result.direction.map(Double.init), want, tolerance: 1e-5)
            assertConsistent(result, try TaskJacobian(rows: rows))
        }
    }

    func testThreeTasksInTheSeededRandomOrder() throws {
        let rows: [[Float]] = [[1, 0, 0], [-0.5, 1, 0], [-0.2, -0.3, 1]]
        manualSeed(5)
        let orders = (0..<3).map { _ in randomPermutation(3) }
        let orders2 = (0..<3).map { _ in randomPermutation(3) }
        manualSeed(5)
        let method = try makeAggregator("gradvac", taskCount: 3)
        var targets = [[Double]](repeating: [0, 0, 0], count: 3)
        let g = rows.map { $0.map(Double.init) }
        let first = try method.aggregate(try TaskJacobian(rows: rows))
        assertClose(first.direction.map(Double.init), referenceStep(g, orders: orders, targets: &targets, beta: 0.5), tolerance: 1e-5)
        let second = try method.aggregate(try TaskJacobian(rows: rows))
        assertClose(second.direction.map(Double.init), referenceStep(g, orders: orders2, targets: &targets, beta: 0.5), tolerance: 1e-5)
    }

    func testDegenerateGradientsGiveFiniteUpdates() throws {
        for (label, rows) in degenerateJacobians {
            let method = try makeAggregator("gradvac", taskCount: rows.count)
            for _ in 0..<3 { assertConsistent(try method.aggregate(try TaskJacobian(rows: rows)), try TaskJacobian(rows: rows), label) }
        }
        assertThrows(.invalidArgument, op: "gradvac", mentions: ["beta=2"]) {
            try MultiTaskMethods.make("gradvac", taskCount: 2, options: ["beta": 2])
        }
    }
}
