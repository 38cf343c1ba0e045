/// A gradient aggregator made from a closure: lets a method that needs more than the task Jacobian run
/// the standard gradient driver with its own combination — GradDrop (the representation's signs) and
/// DB-MTL (the driver run on the log-losses).
final class GradientPass: GradientAggregator {
    let taskCount: Int
    private let body: (TaskJacobian, [Int]) throws -> Aggregation

    /// The aggregator whose `aggregate(_:tasks:)` is `body` (row k of the Jacobian is task `tasks[k]`).
    init(taskCount: Int, _ body: @escaping (TaskJacobian, [Int]) throws -> Aggregation) {
        self.taskCount = taskCount
        self.body = body
    }

    func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation { try body(jacobian, Array(0..<taskCount)) }

    func aggregate(_ jacobian: TaskJacobian, tasks: [Int]) throws -> Aggregation { try body(jacobian, tasks) }
}
