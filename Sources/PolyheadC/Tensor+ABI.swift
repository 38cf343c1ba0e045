import Polyhead

/// Runs a tensor-producing body and writes its result at +1 into `out`.
func produceTensor(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws -> Tensor) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        target.pointee = passRetained(try body())
    }
}

@_cdecl("ph_tensor_new")
public func ph_tensor_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ data: UnsafePointer<Float>?, _ count: Int64,
    _ shape: UnsafePointer<Int64>?, _ ndim: Int32
) -> Int32 {
    produceTensor(out) { try Tensor(copying: data, count: Int(count), shape: try readShape(shape, ndim)) }
}

@_cdecl("ph_tensor_new_external")
public func ph_tensor_new_external(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ data: UnsafeMutablePointer<Float>?, _ count: Int64,
    _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
    _ release: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?, _ context: UnsafeMutableRawPointer?
) -> Int32 {
    let releaseOnce: () -> Void = { release?(context) }
    guard let data, count >= 0, out != nil else {
        releaseOnce()
        return abiCall { throw ABIError(status: statusValue, message: "ph_tensor_new_external: NULL data or out, or negative count") }
    }
    return produceTensor(out) {
        let dimensions: [Int]
        do { dimensions = try readShape(shape, ndim) } catch { releaseOnce(); throw error }
        return try Tensor.wrapping(data, count: Int(count), shape: dimensions, release: releaseOnce)
    }
}

@_cdecl("ph_tensor_full")
public func ph_tensor_full(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32, _ value: Float
) -> Int32 {
    produceTensor(out) { try Tensor.full(try readShape(shape, ndim), value) }
}

@_cdecl("ph_tensor_randn")
public func ph_tensor_randn(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32
) -> Int32 {
    produceTensor(out) { try Tensor.randn(try readShape(shape, ndim)) }
}

@_cdecl("ph_tensor_uniform")
public func ph_tensor_uniform(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
    _ low: Float, _ high: Float
) -> Int32 {
    produceTensor(out) { try Tensor.uniform(try readShape(shape, ndim), low: low, high: high) }
}

@_cdecl("ph_tensor_arange")
public func ph_tensor_arange(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ start: Double, _ end: Double, _ step: Double
) -> Int32 {
    produceTensor(out) { try Tensor.arange(start, end, step: step) }
}

@_cdecl("ph_tensor_retain")
public func ph_tensor_retain(_ tensor: OpaquePointer?) -> Int32 {
    abiCall { _ = Unmanaged.passRetained(try borrowTensor(tensor, "tensor")) }
}

@_cdecl("ph_tensor_free")
public func ph_tensor_free(_ tensor: OpaquePointer?) -> Int32 {
    if let tensor { Unmanaged<Tensor>.fromOpaque(UnsafeRawPointer(tensor)).release() }
    return statusOK
}

@_cdecl("ph_tensor_ndim")
public func ph_tensor_ndim(_ out: UnsafeMutablePointer<Int32>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowTensor(tensor, "tensor").rank) }
}

@_cdecl("ph_tensor_shape")
public func ph_tensor_shape(_ out: UnsafeMutablePointer<Int64>?, _ capacity: Int32, _ tensor: OpaquePointer?) -> Int32 {
    abiCall {
        let shape = try borrowTensor(tensor, "tensor").shape
        guard capacity >= shape.count else {
            throw ABIError(status: statusValue, message: "ph_tensor_shape: capacity \(capacity) < rank \(shape.count)")
        }
        guard shape.isEmpty || out != nil else { throw ABIError(status: statusValue, message: "out is NULL") }
        for (i, dimension) in shape.enumerated() { out![i] = Int64(dimension) }
    }
}

@_cdecl("ph_tensor_numel")
public func ph_tensor_numel(_ out: UnsafeMutablePointer<Int64>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int64(try borrowTensor(tensor, "tensor").count) }
}

@_cdecl("ph_tensor_data")
public func ph_tensor_data(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = try borrowTensor(tensor, "tensor").unsafeDataPointer }
}

@_cdecl("ph_tensor_item")
public func ph_tensor_item(_ out: UnsafeMutablePointer<Float>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = try borrowTensor(tensor, "tensor").item() }
}

@_cdecl("ph_tensor_requires_grad")
public func ph_tensor_requires_grad(_ out: UnsafeMutablePointer<Int32>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = try borrowTensor(tensor, "tensor").requiresGrad ? 1 : 0 }
}

@_cdecl("ph_tensor_set_requires_grad")
public func ph_tensor_set_requires_grad(_ tensor: OpaquePointer?, _ flag: Int32) -> Int32 {
    abiCall { try borrowTensor(tensor, "tensor").setRequiresGrad(flag != 0) }
}

@_cdecl("ph_tensor_is_leaf")
public func ph_tensor_is_leaf(_ out: UnsafeMutablePointer<Int32>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = try borrowTensor(tensor, "tensor").isLeaf ? 1 : 0 }
}

@_cdecl("ph_tensor_grad")
public func ph_tensor_grad(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ tensor: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = try borrowTensor(tensor, "tensor").grad.map(passRetained) }
}

@_cdecl("ph_tensor_set_grad")
public func ph_tensor_set_grad(_ tensor: OpaquePointer?, _ grad: OpaquePointer?) -> Int32 {
    abiCall { try borrowTensor(tensor, "tensor").setGrad(borrowOptionalTensor(grad)) }
}

@_cdecl("ph_tensor_backward")
public func ph_tensor_backward(_ tensor: OpaquePointer?, _ seed: OpaquePointer?, _ retainGraph: Int32) -> Int32 {
    abiCall { try borrowTensor(tensor, "tensor").backward(seed: borrowOptionalTensor(seed), retainGraph: retainGraph != 0) }
}

@_cdecl("ph_tensor_detach")
public func ph_tensor_detach(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ tensor: OpaquePointer?) -> Int32 {
    produceTensor(out) { try borrowTensor(tensor, "tensor").detached() }
}

@_cdecl("ph_tensor_clone")
public func ph_tensor_clone(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ tensor: OpaquePointer?) -> Int32 {
    produceTensor(out) { try borrowTensor(tensor, "tensor").cloned() }
}

@_cdecl("ph_tensor_copy_")
public func ph_tensor_copy_(_ destination: OpaquePointer?, _ source: OpaquePointer?) -> Int32 {
    abiCall { try borrowTensor(destination, "destination").copy(from: try borrowTensor(source, "source")) }
}
