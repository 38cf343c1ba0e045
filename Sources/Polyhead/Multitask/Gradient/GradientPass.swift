/// A gradient aggregator made from a closure: lets a method that needs more than the task Jacobian run
/// the standard gradient driver with its own combination — GradDrop (the representation's signs) and
/// DB-MTL (the driver run on the log-losses).
final class GradientPass: GradientAggregator {
    let taskCount: Int
    private let body: (TaskJacobian) throws -> Aggregation

    init(taskCount: Int, _ body: @escaping (TaskJacobian) throws -> Aggregation) {
        self.taskCount = taskCount
        self.body = body
    }

    func aggregate(_ jacobian: TaskJacobian) throws -> Aggregation { try body(jacobian) }
}
