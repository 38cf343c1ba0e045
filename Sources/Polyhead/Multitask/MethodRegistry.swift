/// A multi-task method that can be made by name, as the C ABI and Python do.
public protocol NamedMultiTaskMethod: MultiTaskMethod {
    /// The registry name, lower case (e.g. `"pcgrad"`).
    static var methodName: String { get }
    /// Creates the method for `taskCount` tasks, taking its options from `options`.
    init(taskCount: Int, options: inout MethodOptions) throws
}

/// Every method that can be made by name.
public enum MultiTaskMethods {
    /// The registered method types, grouped by family.
    static let all: [any NamedMultiTaskMethod.Type] = [
        // MARK: loss weighting (one line per method)
        LinearWeighting.self,
        InverseLossWeighting.self,
        UncertaintyWeighting.self,
        DWA.self,
        RLW.self,
        GradNorm.self,
        FAMO.self,
        GeometricLossStrategy.self,
        STCH.self,
        // MARK: gradient methods (one line per method)
        PCGrad.self,
        MGDA.self,
        CAGrad.self,
        IMTL.self,
        AlignedMTL.self,
        NashMTL.self,
        // MARK: more gradient methods (one line per method)
        UPGrad.self,
        DualProj.self,
        GradVac.self,
        GradDrop.self,
        FairGrad.self,
        MoCo.self,
        DBMTL.self,
        ExcessMTL.self,
        SDMGrad.self,
    ]

    /// The registered names, in registration order.
    public static var names: [String] { all.map { $0.methodName } }

    /// Creates the method called `name` for `taskCount` tasks with `options`.
    /// - Throws: `PolyheadError.invalidArgument` for an unknown name or option, a task count below 1,
    ///   or an option outside its range.
    public static func make(_ name: String, taskCount: Int, options: [String: Double] = [:]) throws -> any MultiTaskMethod {
        guard let type = all.first(where: { $0.methodName == name }) else {
            throw PolyheadError.invalidArgument(
                op: "mtl_method", message: "unknown method \"\(name)\"; available: \(names.joined(separator: ", "))")
        }
        guard taskCount >= 1 else {
            throw PolyheadError.invalidArgument(op: name, message: "task count must be ≥ 1, got \(taskCount)")
        }
        var reader = MethodOptions(options, method: name)
        let method = try type.init(taskCount: taskCount, options: &reader)
        try reader.finish()
        return method
    }
}
