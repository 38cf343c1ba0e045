/// The Gram matrix (all pairwise dot products) of `count` rows of `width` elements stored one after the
/// other at `rows`, accumulated block by block so that each block of every row is read from memory once
/// (the rows of a task Jacobian are larger than the caches; row-by-row dot products would read each row
/// T times). `prepare(start, length)` runs before each block's dot products (to update the block in place);
/// `dot(a, b, length)` is a Double-accumulating dot product.
func blockedGram<Element>(
    rows: UnsafePointer<Element>, count: Int, width: Int,
    prepare: (_ start: Int, _ length: Int) -> Void = { _, _ in },
    dot: (UnsafePointer<Element>, UnsafePointer<Element>, Int) -> Double
) -> [[Double]] {
    let block = 4096
    var gram = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
    var start = 0
    while start < width {
        let length = Swift.min(block, width - start)
        prepare(start, length)
        for i in 0..<count {
            for j in i..<count {
                gram[i][j] += dot(rows + i * width + start, rows + j * width + start, length)
            }
        }
        start += length
    }
    for i in 0..<count { for j in 0..<i { gram[i][j] = gram[j][i] } }
    return gram
}
