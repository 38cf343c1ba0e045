import XCTest
@testable import Polyhead

/// The header's JSON reader and writer.
final class JSONTests: XCTestCase {
    private func parse(_ text: String) throws -> JSON {
        var text = text
        return try text.withUTF8 { try JSON.parse(UnsafeRawBufferPointer($0)) }
    }

    func testParsesEveryKindOfValue() throws {
        let value = try parse(#" { "a" : [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d"}, "": [] } "#)
        XCTAssertEqual(value, .object([
            ("a", .array([.integer(1), .integer(-2), .number("3.5"), .number("1e3"), .bool(true), .bool(false), .null])),
            ("b", .object([("c", .string("d"))])), ("", .array([])),
        ]))
        XCTAssertEqual(try parse("99999999999999999999"), .number("99999999999999999999"), "too big for Int stays text")
    }

    func testStringEscapesAndUnicode() throws {
        XCTAssertEqual(try parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 ✓""#),
                       .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é 😀 ✓"))
        let tricky = "tab\t quote\" backslash\\ nul\u{0} bell\u{07} ünï 😀"
        XCTAssertEqual(try parse(JSON.string(tricky).serialized), .string(tricky))
        XCTAssertEqual(JSON.string("a\u{1}").serialized, #""a\u0001""#)
        let nested = String(repeating: "{\"a\":", count: 5000) + " é😀"  // a config held as a metadata string
        XCTAssertEqual(try parse(JSON.string(nested).serialized), .string(nested))
    }

    func testWriterIsCompactAndKeepsOrder() {
        let value = JSON.object([("z", .integer(1)), ("a", .array([.integer(2), .string("x")]))])
        XCTAssertEqual(value.serialized, #"{"z":1,"a":[2,"x"]}"#)
    }

    func testSyntaxErrorsNameTheOffset() {
        let cases: [(String, String)] = [
            ("", "unexpected end"), ("{", "expected a string key"), ("{\"a\" 1}", "expected ':'"),
            ("[1 2]", "expected ',' or ']'"), ("{\"a\":1,}", "expected a string key"), ("01", "after the value"),
            ("-", "invalid number"), ("1.", "no digits after"), ("1e", "no digits in the exponent"),
            ("tru", "invalid literal"), ("\"abc", "unterminated string"), ("\"a\u{1}\"", "control character"),
            (#""\x""#, "invalid escape"), (#""\u12G4""#, "invalid hex digit"), (#""\udc00""#, "lone low surrogate"),
            (#""\ud800x""#, "lone high surrogate"), ("@", "unexpected character '@'"),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nesting deeper than 64"),
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let message = (error as? JSONSyntaxError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains(fragment), "\(text): \(message)")
            }
        }
    }
}
