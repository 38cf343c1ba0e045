import Synchronization

/// A float32, row-major, contiguous n-dimensional array that can record the operations applied to it
/// for reverse-mode differentiation (define-by-run, like PyTorch).
///
/// Tensors are reference types; reshaped views and detached copies share their storage.
public final class Tensor {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The number of elements (the product of `shape`).
    public let count: Int
    /// The element buffer, shared with views.
    let storage: Storage
    /// Whether gradients flow to (and, for leaves, accumulate in) this tensor.
    public internal(set) var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`, shaped like the tensor; `nil` until then.
    public internal(set) var grad: Tensor? {
        get { autodiff.withLock { $0.grad } }
        set { _ = autodiff.withLock { state in exchange(&state.grad, with: newValue) } }
    }
    /// How this tensor was computed, when recorded; `nil` for leaves.
    var gradNode: GradNode? {
        get { autodiff.withLock { $0.node } }
        set { _ = autodiff.withLock { state in exchange(&state.node, with: newValue) } }
    }
    /// Set once the graph through this tensor has been freed by a backward pass.
    var graphReleased: Bool {
        get { autodiff.withLock { $0.released } }
        set { autodiff.withLock { $0.released = newValue } }
    }
    /// The autodiff references, behind a lock: threads that share parameters (one model trained from two
    /// threads) or a graph read and replace them at the same time, and an unguarded reference store races
    /// into a double release. Replaced values are released after the lock is dropped: a release can free
    /// external memory, whose callback may wait for another lock (the GIL of a Python host).
    private let autodiff = Mutex(AutodiffState())

    /// Wraps `storage` (at least `count` elements) as a tensor of `shape`.
    init(shape: [Int], count: Int, storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.count = count
        self.storage = storage
        self.requiresGrad = requiresGrad
        countLiveObject(1)
    }

    deinit { countLiveObject(-1) }

    /// Allocates an uninitialised tensor of `shape`.
    static func empty(_ shape: [Int], op: String) throws -> Tensor {
        let count = try Shape.elementCount(shape, op: op)
        return Tensor(shape: shape, count: count, storage: try Storage(count: count, op: op))
    }

    /// Creates a tensor holding a copy of `scalars` with the given shape.
    /// - Throws: `PolyheadError.shapeMismatch` if the element count differs from the shape's.
    public convenience init(_ scalars: [Float], shape: [Int], requiresGrad: Bool = false) throws {
        let count = try Shape.elementCount(shape, op: "tensor")
        guard count == scalars.count else {
            throw PolyheadError.shapeMismatch(
                op: "tensor", message: "\(scalars.count) values do not fill shape \(describe(shape))")
        }
        let storage = try Storage(count: count, op: "tensor")
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.update(from: base, count: count) }
        }
        self.init(shape: shape, count: count, storage: storage, requiresGrad: requiresGrad)
    }

    /// Creates a scalar (rank-0) tensor.
    public convenience init(_ scalar: Float) {
        // invariant: a one-element allocation only fails when the process is out of memory.
        try! self.init([scalar], shape: [])
    }

    /// The rank (number of dimensions).
    public var rank: Int { shape.count }

    /// Whether the tensor was created by the user rather than computed by a recorded operation.
    public var isLeaf: Bool { gradNode == nil && !graphReleased }

    /// A copy of the elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    /// - Throws: `PolyheadError.invalidArgument` if the tensor has more or fewer than one element.
    public func item() throws -> Float {
        guard count == 1 else {
            throw PolyheadError.invalidArgument(
                op: "item", message: "a tensor with \(count) elements cannot be converted to a scalar")
        }
        return storage.pointer[0]
    }

    /// Calls `body` with the elements (read-only view of the shared storage).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Calls `body` with the elements for in-place writes (not recorded by autodiff).
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Marks a leaf as requiring gradients (or not).
    /// - Throws: `PolyheadError.invalidState` on a tensor computed by a recorded operation.
    public func setRequiresGrad(_ flag: Bool) throws {
        guard isLeaf else {
            throw PolyheadError.invalidState(
                op: "requires_grad",
                message: "requires_grad can only be changed on leaf tensors; detach() first")
        }
        requiresGrad = flag
    }

    /// Replaces the accumulated gradient (`nil` clears it). A gradient with history or a gradient of its
    /// own is stored detached (sharing its storage), so that no assignment makes a reference cycle
    /// (`a.grad = a * 2`, or `a.grad = b` then `b.grad = a`) that would never be freed.
    /// - Throws: `PolyheadError.shapeMismatch` if `gradient` is not shaped like the tensor;
    ///   `.invalidArgument` if it is the tensor itself.
    public func setGrad(_ gradient: Tensor?) throws {
        if let gradient, gradient.shape != shape {
            throw PolyheadError.shapeMismatch(
                op: "grad", message: "assigned gradient has shape \(describe(gradient.shape)) "
                    + "but the tensor has shape \(describe(shape))")
        }
        if gradient === self {
            throw PolyheadError.invalidArgument(op: "grad", message: "can't assign a tensor as its own grad")
        }
        if let gradient, gradient.requiresGrad || gradient.gradNode != nil || gradient.grad != nil {
            grad = gradient.detached()
        } else {
            grad = gradient
        }
    }

    /// Replaces the gradient with `update(current gradient)` in one locked step, so that concurrent
    /// accumulations from several threads all land.
    func updateGrad(_ update: (Tensor?) throws -> Tensor) throws {
        let previous = try autodiff.withLock { state in exchange(&state.grad, with: try update(state.grad)) }
        _ = previous  // released here, outside the lock
    }
}

/// Stores `value` in `slot` and returns what was there (so the caller releases it outside a lock).
private func exchange<Value>(_ slot: inout Value, with value: Value) -> Value {
    let previous = slot
    slot = value
    return previous
}

/// A tensor's mutable autodiff references (see `Tensor.autodiff`).
struct AutodiffState {
    var grad: Tensor?
    var node: GradNode?
    var released = false
}
