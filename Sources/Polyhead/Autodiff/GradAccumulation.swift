extension Tensor {
    /// Adds `gradient` to this tensor's `grad` (or stores it when there is none) in one step under the
    /// tensor's lock, so that concurrent accumulations from several threads (threads training models that
    /// share parameters) all land. Every writer of accumulated gradients — the backward pass and the
    /// multi-task methods — goes through here.
    /// - Parameter adopting: `gradient`'s buffer is the caller's to give away (no other tensor's `grad` or
    ///   the caller keeps using it); otherwise a copy is stored when there is no gradient yet.
    func accumulateGrad(_ gradient: Tensor, adopting: Bool) throws {
        try withoutGrad {
            try updateGrad { existing in
                if let existing { return try existing + gradient }
                return adopting ? gradient : try gradient.cloned()
            }
        }
    }
}
