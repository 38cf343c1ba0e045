// Keras's weight regularizers in a `GraphModel` config: `"<weight>_regularizer": {"l1": λ₁, "l2": λ₂}` on a
// layer adds `λ₁·Σ|w| + λ₂·Σw²` of that weight to the training loss.

extension GraphModel {
    /// One weight's penalty `l1·Σ|w| + l2·Σw²` (Keras's `L1`, `L2` and `L1L2` regularizers).
    struct WeightPenalty {
        let weight: Tensor
        let l1: Float, l2: Float

        /// The penalties a layer's config asks for: `<name>_regularizer` for each weight named `name`
        /// (`kernel_regularizer`, `bias_regularizer`, …); a weight the layer lacks (no bias) has none.
        /// - Throws: `.invalidArgument` for a factor that is not a finite number ≥ 0.
        static func read(_ config: JSON, weights: [(name: String, tensor: Tensor)], layer: String) throws -> [WeightPenalty] {
            try weights.compactMap { name, tensor in
                guard let options = config["\(name)_regularizer"] else { return nil }
                func factor(_ key: String) throws -> Float {
                    try unitOption(options, key, default: 0, layer: "\(layer).\(name)_regularizer", upTo: .infinity)
                }
                let penalty = WeightPenalty(weight: tensor, l1: try factor("l1"), l2: try factor("l2"))
                return penalty.l1 > 0 || penalty.l2 > 0 ? penalty : nil
            }
        }

        /// The recorded penalty of the weight.
        func callAsFunction() throws -> Tensor {
            var total: Tensor?
            if l1 > 0 { total = try l1Loss(weight, try Tensor.zeros(weight.shape), reduction: .sum) * l1 }
            if l2 > 0 {
                let square = try (weight * weight).sum() * l2
                total = try total.map { try $0 + square } ?? square
            }
            // invariant: `read` keeps only penalties with a positive factor.
            return total!
        }
    }
}
