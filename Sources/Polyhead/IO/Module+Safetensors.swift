private let loadParametersOp = "load_parameters"

extension Module {
    /// Saves every parameter and buffer under its dotted name (`namedState`: `namedParameters`, then
    /// `namedBuffers` such as batch normalization's running statistics) to a safetensors file, atomically.
    ///
    /// Names and layouts are PyTorch's (a `Linear` weight is `(out, in)`), so the file holds the tensors of
    /// the matching torch module's `state_dict` (and of the Python `polyhead` module's, whose
    /// `load_weights` reads it).
    /// - Parameters:
    ///   - path: the file to create or replace.
    ///   - metadata: string pairs stored in the header (`"format": "pt"` is added unless given).
    /// - Throws: `PolyheadError.io` if the file cannot be written (the old file is then untouched).
    public func saveParameters(to path: String, metadata: [String: String] = [:]) throws {
        var metadata = metadata
        if metadata["format"] == nil { metadata["format"] = "pt" }
        try saveSafetensors(namedState, to: path, metadata: metadata)
    }

    /// Copies the tensors of a safetensors file into the parameters and buffers of the same names
    /// (`namedState`), in place (the tensor objects stay the same, so optimizers holding them keep working).
    ///
    /// Nothing is copied unless every shape matches and, when `strict`, the names match exactly.
    /// - Parameters:
    ///   - path: a file written by `saveParameters`, Python's `Module.save_weights`, `saveSafetensors` or any
    ///     safetensors writer.
    ///   - strict: require the file to hold exactly this module's parameter and buffer names.
    /// - Returns: the parameter and buffer names absent from the file, and the file's names that are
    ///   neither (both empty when `strict`).
    /// - Throws: `PolyheadError.shapeMismatch` naming the file, the tensor and both shapes;
    ///   `PolyheadError.invalidArgument` listing missing or unexpected names (`strict`); the errors of
    ///   `loadSafetensors` for unreadable or malformed files.
    @discardableResult
    public func loadParameters(from path: String, strict: Bool = true) throws -> (missing: [String], unexpected: [String]) {
        let stored = try loadSafetensors(from: path).tensors
        let own = namedState
        var byName: [String: Tensor] = [:]
        for (name, tensor) in stored { byName[name] = tensor }
        let ownNames = Set(own.map(\.name))
        let missing = own.map(\.name).filter { byName[$0] == nil }
        let unexpected = stored.map(\.name).filter { !ownNames.contains($0) }
        if strict, !missing.isEmpty || !unexpected.isEmpty {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing " + missing.map { "\"\($0)\"" }.joined(separator: ", ")) }
            if !unexpected.isEmpty {
                problems.append("unexpected " + unexpected.map { "\"\($0)\"" }.joined(separator: ", "))
            }
            throw PolyheadError.invalidArgument(
                op: loadParametersOp,
                message: "'\(path)' does not match the module's parameters and buffers: "
                    + problems.joined(separator: "; "))
        }
        var copies: [(target: Tensor, source: Tensor)] = []
        for (name, target) in own {
            guard let source = byName[name] else { continue }
            guard source.shape == target.shape else {
                throw PolyheadError.shapeMismatch(
                    op: loadParametersOp, message: "'\(path)': \"\(name)\" has shape "
                        + "\(describe(source.shape)) in the file but \(describe(target.shape)) in the module")
            }
            copies.append((target, source))
        }
        for (target, source) in copies {
            source.withUnsafeBufferPointer { values in
                target.withUnsafeMutableBufferPointer { destination in
                    if let from = values.baseAddress, let to = destination.baseAddress { to.update(from: from, count: values.count) }
                }
            }
        }
        return (missing, unexpected)
    }
}
