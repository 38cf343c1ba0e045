import Foundation
import XCTest

/// `polyhead.h` is the contract and the `@_cdecl` functions are its implementation: the two must declare the
/// same functions with the same parameter types, or C callers read garbage.
final class HeaderParityTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testEveryHeaderFunctionIsImplementedWithMatchingTypes() throws {
        let header = try headerDeclarations()
        let swift = try swiftDeclarations()
        XCTAssertGreaterThan(header.count, 60, "header parsing found too few functions")
        XCTAssertEqual(Set(header.keys).subtracting(swift.keys).sorted(), [], "declared in polyhead.h but not implemented")
        XCTAssertEqual(Set(swift.keys).subtracting(header.keys).sorted(), [], "exported with @_cdecl but not in polyhead.h")
        for (name, cSignature) in header.sorted(by: { $0.key < $1.key }) {
            guard let swiftSignature = swift[name] else { continue }
            let expected = cSignature.parameters.map { swiftType(forC: $0) }
            XCTAssertEqual(swiftSignature.parameters, expected, "\(name): parameter types differ from polyhead.h")
            XCTAssertEqual(swiftSignature.result, swiftType(forC: cSignature.result + " x", isResult: true), "\(name): return type")
        }
    }

    func testStatusCodesMatchTheHeader() throws {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/PolyheadC/include/polyhead.h"), encoding: .utf8)
        let expected = ["PH_OK = 0", "PH_ERROR_VALUE = 1", "PH_ERROR_TYPE = 2", "PH_ERROR_INDEX = 3", "PH_ERROR_MEMORY = 4",
                        "PH_ERROR_IO = 5", "PH_ERROR_RUNTIME = 6", "PH_REDUCTION_NONE = 0", "PH_REDUCTION_MEAN = 1",
                        "PH_REDUCTION_SUM = 2"]
        for constant in expected { XCTAssertTrue(text.contains(constant), "polyhead.h lacks \(constant)") }
        XCTAssertEqual([Status.ok, Status.value, Status.type, Status.index, Status.memory, Status.io, Status.runtime],
                       [0, 1, 2, 3, 4, 5, 6])
    }

    // MARK: parsing

    private struct Signature { var result: String; var parameters: [String] }

    /// `name → (C return type, C parameter declarations)` for every function in the header.
    private func headerDeclarations() throws -> [String: Signature] {
        var text = try String(contentsOf: root.appendingPathComponent("Sources/PolyheadC/include/polyhead.h"), encoding: .utf8)
        text = text.replacingOccurrences(of: #"/\*[\s\S]*?\*/"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        var result: [String: Signature] = [:]
        let pattern = try NSRegularExpression(pattern: #"(ph_status|const char \*) ?(ph_\w+)\("#)
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let returnType = String(text[Range(match.range(at: 1), in: text)!])
            let name = String(text[Range(match.range(at: 2), in: text)!])
            let open = Range(match.range, in: text)!.upperBound
            let parameters = splitTopLevel(balancedContents(text, from: open))
            result[name] = Signature(result: returnType, parameters: parameters == ["void"] ? [] : parameters)
        }
        return result
    }

    /// `name → (Swift return type, Swift parameter types)` for every `@_cdecl` function of the C-ABI target.
    private func swiftDeclarations() throws -> [String: Signature] {
        let folder = root.appendingPathComponent("Sources/PolyheadC")
        var result: [String: Signature] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let pattern = try NSRegularExpression(pattern: #"@_cdecl\("(\w+)"\)\s*public func (\w+)\("#)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = String(text[Range(match.range(at: 1), in: text)!])
                let open = Range(match.range, in: text)!.upperBound
                let inner = balancedContents(text, from: open)
                let parameters = splitTopLevel(inner).map { parameter -> String in
                    let type = parameter[parameter.index(after: parameter.firstIndex(of: ":")!)...]
                    return type.filter { !$0.isWhitespace }
                }
                let afterParameters = text[text.index(open, offsetBy: inner.count + 1)...]
                let arrow = afterParameters.range(of: "->")!
                let resultType = afterParameters[arrow.upperBound...].prefix { $0 != "{" }.filter { !$0.isWhitespace }
                result[name] = Signature(result: String(resultType), parameters: parameters)
            }
        }
        return result
    }

    /// The text up to the parenthesis closing the one just before `start`.
    private func balancedContents(_ text: String, from start: String.Index) -> String {
        var depth = 1, index = start
        while index < text.endIndex {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" { depth -= 1; if depth == 0 { break } }
            index = text.index(after: index)
        }
        return String(text[start..<index])
    }

    /// Splits a parameter list at commas outside parentheses and angle brackets.
    private func splitTopLevel(_ list: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for character in list {
            if "(<".contains(character) { depth += 1 }
            if character == ")" || (character == ">" && current.last != "-") { depth -= 1 }
            if character == ",", depth == 0 { parts.append(current); current = ""; continue }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current) }
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The Swift type a `@_cdecl` function must use for a C parameter declaration (`type name`); a returned
    /// string is never NULL, so it maps to a non-optional pointer, while a string argument may be NULL.
    private func swiftType(forC declaration: String, isResult: Bool = false) -> String {
        if declaration.contains("(*") { return "(@convention(c)(UnsafeMutableRawPointer?)->Void)?" }
        var type = declaration.trimmingCharacters(in: .whitespaces)
        while let last = type.last, last.isLetter || last.isNumber || last == "_" { type.removeLast() }
        let key = type.filter { !$0.isWhitespace }
        let table: [String: String] = [
            "ph_tensor**": "UnsafeMutablePointer<OpaquePointer?>?", "ph_optimizer**": "UnsafeMutablePointer<OpaquePointer?>?",
            "ph_tensor*": "OpaquePointer?", "constph_tensor*": "OpaquePointer?",
            "ph_optimizer*": "OpaquePointer?", "constph_optimizer*": "OpaquePointer?",
            "ph_tensor*const*": "UnsafePointer<OpaquePointer?>?",
            "constfloat*": "UnsafePointer<Float>?", "float*": "UnsafeMutablePointer<Float>?",
            "float**": "UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?",
            "constint64_t*": "UnsafePointer<Int64>?", "int64_t*": "UnsafeMutablePointer<Int64>?", "uint64_t*": "UnsafeMutablePointer<UInt64>?",
            "int32_t*": "UnsafeMutablePointer<Int32>?", "constint32_t*": "UnsafePointer<Int32>?",
            "void*": "UnsafeMutableRawPointer?",
            "int32_t": "Int32", "int64_t": "Int64", "uint64_t": "UInt64", "float": "Float", "double": "Double",
            "ph_status": "Int32", "constchar*": isResult ? "UnsafePointer<CChar>" : "UnsafePointer<CChar>?",
            "ph_mtl_method**": "UnsafeMutablePointer<OpaquePointer?>?", "ph_mtl_method*": "OpaquePointer?",
            "constph_mtl_method*": "OpaquePointer?", "double*": "UnsafeMutablePointer<Double>?",
            "constdouble*": "UnsafePointer<Double>?", "constchar**": "UnsafeMutablePointer<UnsafePointer<CChar>?>?",
            "constchar*const*": "UnsafePointer<UnsafePointer<CChar>?>?",
            "ph_safetensors**": "UnsafeMutablePointer<OpaquePointer?>?", "ph_safetensors*": "OpaquePointer?",
            "constph_safetensors*": "OpaquePointer?", "constvoid*": "UnsafeRawPointer?",
            "ph_model**": "UnsafeMutablePointer<OpaquePointer?>?", "ph_model*": "OpaquePointer?",
            "constph_model*": "OpaquePointer?", "ph_trainer**": "UnsafeMutablePointer<OpaquePointer?>?",
            "ph_trainer*": "OpaquePointer?",
            "ph_fit_callback": "(@convention(c)(UnsafeMutableRawPointer?,Int32,Int64,Int64,Int32,UnsafePointer<UnsafePointer<CChar>?>?,UnsafePointer<Double>?)->Int32)?",
        ]
        return table[key] ?? "<unmapped C type \(type)>"
    }
}
