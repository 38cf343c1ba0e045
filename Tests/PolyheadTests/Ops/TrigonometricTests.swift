import Foundation
import XCTest
@testable import Polyhead

/// `sin` and `cos`: values and gradients against float64 references.
final class TrigonometricTests: XCTestCase {
    func testSineAndCosineWithGradients() {
        checkGradients(shapes: [[2, 5]], domain: .symmetric(4), reference: { $0[0].map(Foundation.sin) }) { try $0[0].sin() }
        checkGradients(shapes: [[7]], domain: .symmetric(4), reference: { $0[0].map(Foundation.cos) }) { try $0[0].cos() }
    }
}
