import BangfuVarlinkProtocol
import Foundation
import Testing

/// The hand-written JSON parser and writer agree with Foundation and refuse what RFC 8259 refuses.
@Suite struct JSONTextTests {
    @Test func roundTripsAndAgreesWithFoundation() throws {
        let texts = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"中文\n\"q\"\\","e":-0.5,"f":1e-7},"g":9223372036854775807,"h":-9223372036854775808}"#,
            #"[]"#, #"{}"#, #""\ud83d\ude00 \u00e9 \/""#, #"12345678901234567890"#, #"  [ 1 , 2 ]  "#, #"0"#, #"-0"#,
            #"1.5E+3"#,
        ]
        for t in texts {
            let mine = try JSONValue.parse(Array(t.utf8))
            let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(t.utf8))
            #expect(mine == theirs, "\(t)")
            #expect(try JSONValue.parse(mine.jsonBytes) == mine, "\(t)")
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(mine.jsonBytes)) == mine, "\(t)")
        }
    }

    @Test(arguments: [
        #"{"a":1,}"#, #"[1,]"#, #"01"#, #"1."#, #".5"#, #"-"#, #"1e"#, #"tru"#, #"nul"#, #"{"a"}"#, #"{a:1}"#, #""abc"#,
        #""\x""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"\u{01}\"", #"[1 2]"#, #"{} {}"#, #"1e999"#, "",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) {
            try JSONValue.parse(Array((String(repeating: "[", count: 300) + String(repeating: "]", count: 300)).utf8))
        }
        #expect(
            (try? JSONValue.parse(Array((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8)))
                != nil)
    }

    @Test func varlinkCallsParseStrictly() throws {
        let call = try VarlinkCall(
            parsing: Array(#"{"method":"org.bangfu.Cases.Get","parameters":{"caseNo":"BF-1"},"more":true}"#.utf8))
        #expect(
            call.method == "org.bangfu.Cases.Get" && call.more == true && call.parameters?["caseNo"] == .string("BF-1"))
        for bad in [
            #"{"parameters":{}}"#, #"{"method":1}"#, #"{"method":"a.b","parameters":[]}"#,
            #"{"method":"a.b","more":"yes"}"#, #"[]"#,
        ] {
            #expect(throws: JSONValue.ParseError.self) { try VarlinkCall(parsing: Array(bad.utf8)) }
        }
        #expect(try VarlinkCall(parsing: call.jsonBytes) == call)
    }
}

/// The direct encoder shapes values exactly as JSONEncoder followed by parsing would.
@Suite struct JSONValueEncoderTests {
    struct Inner: Codable {
        var a: Int
        var b: String?
        var c: [Double]
    }
    enum Kind: String, Codable { case one, two }
    struct Outer: Codable {
        var name: String
        var count: Int64
        var flag: Bool
        var inner: Inner
        var list: [Inner]
        var map: [String: Int]
        var intKeys: [Int: String]
        var missing: String?
        var kind: Kind
        var nested: [[String]]
        var any: JSONValue
        var date: Date
        var data: Data
    }

    @Test func agreesWithJSONEncoder() throws {
        let v = Outer(
            name: "张三\"\n", count: -9_007_199_254_740_993, flag: true, inner: Inner(a: 1, b: nil, c: [0.5, 1e-7]),
            list: [Inner(a: 2, b: "x", c: []), Inner(a: 3, b: nil, c: [2.25])], map: ["k": 1, "j": 2],
            intKeys: [3: "c", 1: "a"],
            missing: nil, kind: .two, nested: [["a"], []], any: .object(["x": .array([.null, .bool(false)])]),
            date: Date(timeIntervalSinceReferenceDate: 12.5), data: Data([1, 2, 3]))
        let direct = try JSONValue(encoding: v)
        let viaText = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(v))
        #expect(direct == viaText)
        #expect(throws: EncodingError.self) { try JSONValue(encoding: ["x": Double.nan]) }
    }
}
