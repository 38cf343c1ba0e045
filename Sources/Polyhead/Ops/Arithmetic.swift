// Elementwise arithmetic with numpy broadcasting; each op's pullback sits right below its forward.

extension Tensor {
    /// `lhs + rhs`, broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try broadcastBinary(lhs, rhs, op: "add", +).recorded(from: [lhs, rhs], op: "add") { g in
            [lhs.requiresGrad ? try g.summed(toShape: lhs.shape) : nil,
             rhs.requiresGrad ? try g.summed(toShape: rhs.shape) : nil]
        }
    }

    /// `lhs - rhs`, broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try broadcastBinary(lhs, rhs, op: "sub", -).recorded(from: [lhs, rhs], op: "sub") { g in
            [lhs.requiresGrad ? try g.summed(toShape: lhs.shape) : nil,
             rhs.requiresGrad ? try (try -g).summed(toShape: rhs.shape) : nil]
        }
    }

    /// `lhs * rhs` elementwise, broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try broadcastBinary(lhs, rhs, op: "mul", *).recorded(from: [lhs, rhs], op: "mul") { g in
            [lhs.requiresGrad ? try (g * rhs).summed(toShape: lhs.shape) : nil,
             rhs.requiresGrad ? try (g * lhs).summed(toShape: rhs.shape) : nil]
        }
    }

    /// `lhs / rhs` elementwise, broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try broadcastBinary(lhs, rhs, op: "div", /).recorded(from: [lhs, rhs], op: "div") { g in
            [lhs.requiresGrad ? try (g / rhs).summed(toShape: lhs.shape) : nil,
             rhs.requiresGrad
                ? try broadcastBinary(g * lhs, rhs, op: "div") { ga, b in -ga / (b * b) }
                    .summed(toShape: rhs.shape)
                : nil]
        }
    }

    /// `-x`.
    public static prefix func - (x: Tensor) throws -> Tensor {
        try x.mapElements(op: "neg", { -$0 }, derivative: { _, _ in -1 })
    }

    /// `lhs + rhs` with a scalar right-hand side.
    public static func + (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs + Tensor(rhs) }
    /// `lhs - rhs` with a scalar right-hand side.
    public static func - (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs - Tensor(rhs) }
    /// `lhs * rhs` with a scalar right-hand side.
    public static func * (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs * Tensor(rhs) }
    /// `lhs / rhs` with a scalar right-hand side.
    public static func / (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs / Tensor(rhs) }
    /// `lhs * rhs` with a scalar left-hand side.
    public static func * (lhs: Float, rhs: Tensor) throws -> Tensor { try Tensor(lhs) * rhs }
}
