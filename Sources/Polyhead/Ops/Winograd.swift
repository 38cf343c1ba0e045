// Winograd F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks") for 3×3,
// stride-1 convolutions of channels-last samples: each 2×2 output tile is Y = Aᵀ [U ⊙ V] A with the input
// tile V = Bᵀ d B (4×4) and the kernel U = G g Gᵀ (4×4), per channel; summed over channels, the 16
// element-wise products of a block of tiles become 16 GEMMs, M[ξ] (tiles, O) = V[ξ] (tiles, C) · U[ξ]
// (C, O), with 16 multiply-adds per (tile, channel, filter) instead of direct convolution's 36. The
// transforms run 8 channels (or filters) at a time over a block of tiles small enough that V and M stay in
// cache. The input gradient of such a convolution is one as well: the output gradient convolved with the
// kernel rotated by 180° with channels and filters swapped (`flipped`). Float32 results differ from direct
// summation by a few ulps of the largest input-tile sums (the transforms add and subtract up to 4 × 4
// terms of each sign).

/// A (3, 3, C, O) kernel transformed for Winograd F(2×2, 3×3): `U[ξ] = G g Gᵀ` at each of the 16 tile
/// positions ξ, stored as 16 row-major (C, O) matrices.
struct WinogradKernel {
    /// Input channels `C` and output channels `O` of the convolution it computes.
    let channels: Int, filters: Int
    /// The 16 transformed (C, O) matrices.
    let u: Storage
    /// Tiles transformed at once: their V and M matrices (16 × tiles × (C + O) floats) take about 1 MB.
    let tilesPerBlock: Int

    /// Transforms the Keras-layout `kernel` (3, 3, C, O); when `flipped`, the kernel is read as (3, 3, O, C)
    /// and rotated by 180° with its channel axes swapped: the transform of the input-gradient convolution.
    init(_ kernel: UnsafePointer<Float>, channels: Int, filters: Int, flipped: Bool, op: String) throws {
        (self.channels, self.filters) = (channels, filters)
        u = try Storage(count: 16 * channels * filters, op: op)
        tilesPerBlock = Swift.max(1, (1 << 18) / (16 * (channels + filters)))
        let target = u.pointer, pairs = channels * filters
        for c in 0..<channels {
            for o in 0..<filters {
                // g[i][j] = the (i, j) tap of this (channel, filter) pair.
                func tap(_ i: Int, _ j: Int) -> Float {
                    flipped ? kernel[((2 - i) * 3 + 2 - j) * pairs + o * channels + c] : kernel[(i * 3 + j) * pairs + c * filters + o]
                }
                let rows = (0..<3).map { j in kernelTransform(tap(0, j), tap(1, j), tap(2, j)) }  // G g, by column
                for a in 0..<4 {
                    let row = kernelTransform(rows[0][a], rows[1][a], rows[2][a])  // (G g Gᵀ)[a][·]
                    for b in 0..<4 { target[(a * 4 + b) * pairs + c * filters + o] = row[b] }
                }
            }
        }
    }

    /// Floats of scratch memory `convolve` needs.
    var scratchCount: Int { 16 * tilesPerBlock * (channels + filters) + channels }

    /// Convolves one sample `x` (height, width, C) into `y` (outputHeight, outputWidth, O), zero outside `x`:
    /// `y[oy, ox] = Σ x[oy + origin.top + i, ox + origin.left + j] · g[i, j]` (plus `bias`, then
    /// `max(·, 0)` when `relu`).
    func convolve(
        _ x: UnsafePointer<Float>, height: Int, width: Int, origin: (top: Int, left: Int),
        into y: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int,
        bias: UnsafePointer<Float>?, relu: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let tileColumns = (outputWidth + 1) / 2, tiles = (outputHeight + 1) / 2 * tileColumns
        let (c, o) = (channels, filters)
        let zero = UnsafePointer(scratch + 16 * tilesPerBlock * (c + o))
        (scratch + 16 * tilesPerBlock * (c + o)).update(repeating: 0, count: c)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { pixels in
            let pixels = pixels.baseAddress!
            var first = 0
            while first < tiles {
                let count = Swift.min(tilesPerBlock, tiles - first)
                let v = scratch, m = scratch + 16 * count * c
                for t in 0..<count {
                    let top = 2 * ((first + t) / tileColumns) + origin.top, left = 2 * ((first + t) % tileColumns) + origin.left
                    for k in 0..<16 {
                        let iy = top + k / 4, ix = left + k % 4
                        let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                        (pixels + k).initialize(to: inside ? x + (iy * width + ix) * c : zero)
                    }
                    transformInputTile(pixels, channels: c, into: v + t * c, step: count * c)
                }
                for xi in 0..<16 {
                    sgemm(v + xi * count * c, u.pointer + xi * c * o, m + xi * count * o, m: count, n: o, k: c)
                }
                for t in 0..<count {
                    let ty = (first + t) / tileColumns, tx = (first + t) % tileColumns
                    let origin = y + (2 * ty * outputWidth + 2 * tx) * o
                    transformOutputTile(m + t * o, step: count * o, filters: o, bias: bias, relu: relu, into: origin,
                                        rowStep: outputWidth * o, rows: Swift.min(2, outputHeight - 2 * ty),
                                        columns: Swift.min(2, outputWidth - 2 * tx))
                }
                first += count
            }
        }
    }
}

/// `G · (a, b, c)` for G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
@inline(__always)
private func kernelTransform(_ a: Float, _ b: Float, _ c: Float) -> [Float] {
    [a, (a + b + c) / 2, (a - b + c) / 2, c]
}

/// The vectors the transforms run on: 4 lanes, one SSE register each, so that a tile's 16 stay in registers.
private typealias Lanes = SIMD4<Float>

/// `Bᵀ · (a, b, c, d)` for Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
@inline(__always)
private func inputTransform(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
    (a - c, b + c, c - b, b - d)
}

/// `Aᵀ · (a, b, c, d)` for Aᵀ = [1 1 1 0; 0 1 −1 −1].
@inline(__always)
private func outputTransform(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes) {
    (a + b + c, b - c - d)
}

/// Up to 4 consecutive values from `pointer` (the other lanes zero).
@inline(__always)
private func loadLanes(_ pointer: UnsafePointer<Float>, _ count: Int) -> Lanes {
    if count == 4 { return loadVector(pointer) }
    var vector = Lanes()
    for i in 0..<count { vector[i] = pointer[i] }
    return vector
}

/// Writes the first `count` (up to 4) lanes of `vector` to consecutive values from `pointer`.
@inline(__always)
private func storeLanes(_ vector: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == 4 { return storeVector(vector, pointer) }
    for i in 0..<count { pointer[i] = vector[i] }
}

/// Calls `body(start, lanes)` for the runs of 4 values of `0..<count` and a shorter last run; inlined, the
/// full runs see `lanes` as the constant 4 (no per-value branches).
@inline(__always)
private func forEachRun(_ count: Int, _ body: (_ start: Int, _ lanes: Int) -> Void) {
    let full = count / 4 * 4
    for start in stride(from: 0, to: full, by: 4) { body(start, 4) }
    if full < count { body(full, count - full) }
}

/// Writes `V = Bᵀ d B` of one input tile: `pixels` are its 16 pixel vectors (row-major, C channels each);
/// position ξ goes to `v + ξ·step`.
@inline(__always)
private func transformInputTile(
    _ pixels: UnsafePointer<UnsafePointer<Float>>, channels: Int, into v: UnsafeMutablePointer<Float>, step: Int
) {
    forEachRun(channels) { start, lanes in
        func d(_ k: Int) -> Lanes { loadLanes(pixels[k] + start, lanes) }
        // Bᵀ d column by column (t[r][s] is trs), then (Bᵀ d) B row by row.
        let (t00, t10, t20, t30) = inputTransform(d(0), d(4), d(8), d(12))
        let (t01, t11, t21, t31) = inputTransform(d(1), d(5), d(9), d(13))
        let (t02, t12, t22, t32) = inputTransform(d(2), d(6), d(10), d(14))
        let (t03, t13, t23, t33) = inputTransform(d(3), d(7), d(11), d(15))
        func storeRow(_ r: Int, _ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) {
            let (v0, v1, v2, v3) = inputTransform(a, b, c, d), target = v + 4 * r * step + start
            storeLanes(v0, target, lanes)
            storeLanes(v1, target + step, lanes)
            storeLanes(v2, target + 2 * step, lanes)
            storeLanes(v3, target + 3 * step, lanes)
        }
        storeRow(0, t00, t01, t02, t03)
        storeRow(1, t10, t11, t12, t13)
        storeRow(2, t20, t21, t22, t23)
        storeRow(3, t30, t31, t32, t33)
    }
}

/// Writes `Y = Aᵀ M A` (+ bias, then `max(·, 0)` when `relu`) of one output tile: position ξ of `M` is at
/// `m + ξ·step`; the tile's top-left output pixel is at `y`, the next row `rowStep` further, and its first
/// `rows` × `columns` pixels exist.
@inline(__always)
private func transformOutputTile(
    _ m: UnsafePointer<Float>, step: Int, filters: Int, bias: UnsafePointer<Float>?, relu: Bool,
    into y: UnsafeMutablePointer<Float>, rowStep: Int, rows: Int, columns: Int
) {
    forEachRun(filters) { start, lanes in
        func value(_ k: Int) -> Lanes { loadLanes(m + k * step + start, lanes) }
        let b = bias.map { loadLanes($0 + start, lanes) } ?? Lanes()
        // Aᵀ M column by column (rows 0 and 1: t0s, t1s), then (Aᵀ M) A row by row.
        let (t00, t10) = outputTransform(value(0), value(4), value(8), value(12))
        let (t01, t11) = outputTransform(value(1), value(5), value(9), value(13))
        let (t02, t12) = outputTransform(value(2), value(6), value(10), value(14))
        let (t03, t13) = outputTransform(value(3), value(7), value(11), value(15))
        func storeRow(_ i: Int, _ a: Lanes, _ c: Lanes, _ d: Lanes, _ e: Lanes) {
            let (left, right) = outputTransform(a, c, d, e)
            let pixel = y + i * rowStep + start
            func store(_ j: Int, _ value: Lanes) {
                storeLanes(relu ? value.replacing(with: 0, where: value .< 0) : value, pixel + j * filters, lanes)
            }
            store(0, left + b)
            if columns > 1 { store(1, right + b) }
        }
        storeRow(0, t00, t01, t02, t03)
        if rows > 1 { storeRow(1, t10, t11, t12, t13) }
    }
}
