// Keras's regularizers in a `GraphModel` config: `"<weight>_regularizer": {"l1": λ₁, "l2": λ₂}` on a
// layer adds `λ₁·Σ|w| + λ₂·Σw²` of that weight to the training loss; `"activity_regularizer"` adds the same
// penalty of every output the layer computes (each call, the whole batch, as Keras 3).

extension GraphModel {
    /// Keras's `L1`, `L2` and `L1L2` regularizers: the penalty `l1·Σ|x| + l2·Σx²` of a tensor.
    struct Regularizer {
        let l1: Float, l2: Float

        /// The regularizer `config[key]` asks for, or `nil` when it is absent or both factors are 0.
        /// - Throws: `.invalidArgument` for a factor that is not a finite number ≥ 0.
        static func read(_ config: JSON, _ key: String, layer: String) throws -> Regularizer? {
            guard let options = config[key] else { return nil }
            func factor(_ name: String) throws -> Float {
                try unitOption(options, name, default: 0, layer: "\(layer).\(key)", upTo: .infinity)
            }
            let regularizer = Regularizer(l1: try factor("l1"), l2: try factor("l2"))
            return regularizer.l1 > 0 || regularizer.l2 > 0 ? regularizer : nil
        }

        /// The recorded penalty of `x`.
        func callAsFunction(_ x: Tensor) throws -> Tensor {
            var total: Tensor?
            if l1 > 0 { total = try l1Loss(x, try Tensor.zeros(x.shape), reduction: .sum) * l1 }
            if l2 > 0 {
                let square = try (x * x).sum() * l2
                total = try total.map { try $0 + square } ?? square
            }
            // invariant: `read` keeps only regularizers with a positive factor.
            return total!
        }
    }

    /// One weight's penalty (Keras's `kernel_regularizer`, `bias_regularizer`, …).
    struct WeightPenalty {
        let weight: Tensor
        let regularizer: Regularizer

        /// The penalties a layer's config asks for: `<name>_regularizer` for each weight named `name`
        /// (`kernel_regularizer`, `bias_regularizer`, `embeddings_regularizer`, `gamma_regularizer`, …); a
        /// weight the layer lacks (no bias) has none.
        /// - Throws: `.invalidArgument` for a factor that is not a finite number ≥ 0.
        static func read(_ config: JSON, weights: [(name: String, tensor: Tensor)], layer: String) throws -> [WeightPenalty] {
            try weights.compactMap { name, tensor in
                try Regularizer.read(config, "\(name)_regularizer", layer: layer).map { WeightPenalty(weight: tensor, regularizer: $0) }
            }
        }

        /// The recorded penalty of the weight.
        func callAsFunction() throws -> Tensor { try regularizer(weight) }
    }
}

/// The sum of the non-nil terms, or `nil` when there are none.
func sumOfPenalties(_ terms: [Tensor?]) throws -> Tensor? {
    var total: Tensor?
    for term in terms.compactMap({ $0 }) { total = try total.map { try $0 + term } ?? term }
    return total
}
