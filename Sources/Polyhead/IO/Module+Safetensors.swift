private let loadParametersOp = "load_parameters"

extension Module {
    /// Saves every parameter under its dotted name (`namedParameters`) to a safetensors file, atomically.
    ///
    /// Layouts are PyTorch's (a `Linear` weight is `(out, in)`), so `safetensors.torch.load_file` reads the
    /// file into the matching torch module's `state_dict`.
    /// - Parameters:
    ///   - path: the file to create or replace.
    ///   - metadata: string pairs stored in the header (`"format": "pt"` is added unless given).
    /// - Throws: `PolyheadError.io` if the file cannot be written (the old file is then untouched).
    public func saveParameters(to path: String, metadata: [String: String] = [:]) throws {
        var metadata = metadata
        if metadata["format"] == nil { metadata["format"] = "pt" }
        try saveSafetensors(namedParameters, to: path, metadata: metadata)
    }

    /// Copies the tensors of a safetensors file into the parameters of the same names, in place (the
    /// parameter objects stay the same, so optimizers holding them keep working).
    ///
    /// Nothing is copied unless every shape matches and, when `strict`, the names match exactly.
    /// - Parameters:
    ///   - path: a file written by `saveParameters`, `saveSafetensors` or any safetensors writer.
    ///   - strict: require the file to hold exactly this module's parameter names.
    /// - Returns: the parameter names absent from the file, and the file's names that are no parameter
    ///   (both empty when `strict`).
    /// - Throws: `PolyheadError.shapeMismatch` naming the file, the parameter and both shapes;
    ///   `PolyheadError.invalidArgument` listing missing or unexpected names (`strict`); the errors of
    ///   `loadSafetensors` for unreadable or malformed files.
    @discardableResult
    public func loadParameters(from path: String, strict: Bool = true) throws -> (missing: [String], unexpected: [String]) {
        let stored = try loadSafetensors(from: path).tensors
        let own = namedParameters
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
                message: "'\(path)' does not match the module's parameters: " + problems.joined(separator: "; "))
        }
        var copies: [(target: Tensor, source: Tensor)] = []
        for (name, target) in own {
            guard let source = byName[name] else { continue }
            guard source.shape == target.shape else {
                throw PolyheadError.shapeMismatch(
                    op: loadParametersOp, message: "'\(path)': parameter \"\(name)\" has shape "
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
