/// Inputs, targets and optional per-output masks of one data set, checked against a model: one tensor per
/// input and per output, the same number of samples in each, targets shaped for their loss.
public struct TrainingData {
    public let inputs: [Tensor]
    public let targets: [Tensor]
    /// One optional mask per output (`(N,)` weights; 0 = missing label).
    public let masks: [Tensor?]
    /// The number of samples.
    public let count: Int

    /// Checks the counts and sample numbers; shapes are checked against a trainer by `check(for:)`.
    /// - Throws: `.invalidArgument` / `.shapeMismatch` naming the mismatching arrays and their shapes.
    public init(inputs: [Tensor], targets: [Tensor] = [], masks: [Tensor?] = []) throws {
        let op = "fit"
        guard let first = inputs.first else { throw PolyheadError.invalidArgument(op: op, message: "no inputs given") }
        guard masks.isEmpty || masks.count == targets.count else {
            throw PolyheadError.invalidArgument(op: op, message: "\(masks.count) masks for \(targets.count) targets")
        }
        let n = first.shape.first ?? 0
        let named = inputs.enumerated().map { ("x[\($0.offset)]", $0.element) }
            + targets.enumerated().map { ("y[\($0.offset)]", $0.element) }
            + masks.enumerated().compactMap { item in item.element.map { ("mask[\(item.offset)]", $0) } }
        for (name, tensor) in named where tensor.rank == 0 || tensor.shape[0] != n {
            throw PolyheadError.shapeMismatch(
                op: op, message: "x[0] has \(n) samples (shape \(describe(first.shape))) but \(name) has \(tensor.shape.first ?? 0) (shape \(describe(tensor.shape)))")
        }
        for case let (index, mask?) in masks.enumerated() where mask.count != n {
            throw PolyheadError.shapeMismatch(op: op, message: "mask[\(index)] must hold one weight per sample, got shape \(describe(mask.shape))")
        }
        self.inputs = inputs
        self.targets = targets
        self.masks = masks.isEmpty ? Array(repeating: nil, count: targets.count) : masks
        count = n
    }

    /// The rows `indices` of every array.
    func rows(_ indices: [Int]) throws -> TrainingData {
        try TrainingData(inputs: inputs.map { try $0.indexSelect(indices) },
                         targets: targets.map { try $0.indexSelect(indices) },
                         masks: masks.map { try $0?.indexSelect(indices) })
    }

    /// The samples `range` (a contiguous slice).
    func slice(_ range: Range<Int>) throws -> TrainingData { try rows(Array(range)) }
}
