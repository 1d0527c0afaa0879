import BangfuCore
import BangfuJSON
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

    /// Strings are checked for UTF-8 without the standard library's generic `String(validating:)`:
    /// each kind of bad sequence is refused, in the plain path and after an escape, and good text
    /// (a literal U+FFFD, the bytes a repair would write, included) comes back byte for byte.
    @Test func stringsMustBeUTF8() throws {
        let bad: [[UInt8]] = [
            [0xFF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xE4, 0xB8], [0x80], [0xE4, 0x41, 0xAD], [0xF0, 0x9F, 0x98],
        ]
        for bytes in bad {
            #expect(UTF8Text.string(validating: bytes) == nil, "\(bytes)")
            #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22] + bytes + [0x22]) }
            #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0x5C, 0x6E] + bytes + [0x22]) }
        }
        let good: [([UInt8], String)] = [
            ([], ""), ([0x41, 0x00, 0x42], "A\u{0}B"), ([0xE4, 0xB8, 0xAD, 0xE6, 0x96, 0x87], "中文"),
            ([0xEF, 0xBF, 0xBD], "\u{FFFD}"), ([0xF0, 0x9F, 0x98, 0x80], "😀"),
            ([0xF4, 0x8F, 0xBF, 0xBF], "\u{10FFFF}"),
        ]
        for (bytes, text) in good {
            #expect(UTF8Text.string(validating: bytes) == text)
            #expect(UTF8Text.string(validating: bytes).map { text in Array(text.utf8) } == bytes)
        }
        #expect(try JSONValue.parse(Array(#""中文 \n 😀""#.utf8)) == .string("中文 \n 😀"))
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
    struct Inner: Codable, Equatable {
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

/// The store's decoder reads back what `JSONEncoder` wrote, as `JSONDecoder` does, and says where a
/// stored value is wrong.
@Suite struct JSONValueDecoderTests {
    typealias Inner = JSONValueEncoderTests.Inner
    typealias Kind = JSONValueEncoderTests.Kind
    enum Shape: Codable, Equatable {
        case dot
        case box(width: Int64, label: String)
    }
    struct Outer: Codable, Equatable {
        var name: String
        var count: Int64
        var small: UInt8
        var flag: Bool
        var inner: Inner
        var list: [Inner]
        var map: [String: Int]
        var intKeys: [Int: String]
        var missing: String?
        var kind: Kind
        var shapes: [Shape]
        var nested: [[String]]
        var any: JSONValue
        var date: Date
        var data: Data
    }

    var outer: Outer {
        Outer(
            name: "张三\"\n\u{1F600}", count: Int64.min, small: 255, flag: false,
            inner: Inner(a: -1, b: "", c: [0.1, 1e300]),
            list: [Inner(a: 2, b: nil, c: []), Inner(a: Int.max, b: "x", c: [-2.25])], map: ["k": 1, "": 0],
            intKeys: [3: "c", -1: "a"], missing: nil, kind: .two, shapes: [.dot, .box(width: 7, label: "门")],
            nested: [["a"], []], any: .object(["x": .array([.null, .bool(true), .double(0.5)])]),
            date: Date(timeIntervalSinceReferenceDate: 813_456_789.125), data: Data([0, 1, 254, 255]))
    }

    @Test func readsWhatJSONEncoderWrote() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(outer), as: UTF8.self)
        #expect(try JSONValueDecoder.decode(Outer.self, from: text) == outer)
        let archive = ArchiveInput(
            unitId: "b1", region: "370202",
            head: Person(name: "王五", idNumber: .synthetic(index: 7), workStatus: .laidOff, housingAreaSqm: 38),
            members: [
                Member(name: "王小", idNumber: .synthetic(index: 8), relation: "child", monthlyIncome: Money(fen: 12_345))
            ],
            annualIncome: Money(fen: 1_800_000), mainCause: "laid_off", secondaryCauses: ["illness"])
        let stored = String(decoding: try encoder.encode(archive), as: UTF8.self)
        #expect(try JSONValueDecoder.decode(ArchiveInput.self, from: stored) == archive)
        #expect(
            try JSONValueDecoder.decode(ArchiveInput.self, from: stored)
                == (try JSONDecoder().decode(ArchiveInput.self, from: Data(stored.utf8))))
    }

    @Test func saysWhereAStoredValueIsWrong() throws {
        func failure(_ text: String) -> DecodingError? {
            do {
                _ = try JSONValueDecoder.decode(Inner.self, from: text)
                return nil
            } catch let error as DecodingError {
                return error
            } catch {
                return nil
            }
        }
        guard case .typeMismatch(_, let context)? = failure(#"{"a":1,"c":[0.5,"x"]}"#) else {
            Issue.record("a string among numbers must be a type mismatch")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["c", "1"])
        guard case .keyNotFound(let key, _)? = failure(#"{"c":[]}"#) else {
            Issue.record("a missing member must be named")
            return
        }
        #expect(key.stringValue == "a")
        guard case .dataCorrupted(let tooBig)? = failure(#"{"a":1e30,"c":[]}"#) else {
            Issue.record("a number out of range must not be cut")
            return
        }
        #expect(tooBig.codingPath.map(\.stringValue) == ["a"])
        #expect(failure(#"{"a":2.5,"c":[]}"#) != nil)
        #expect(throws: JSONValue.ParseError.self) { try JSONValueDecoder.decode(Inner.self, from: #"{"a":1,"#) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(Outer.self, from: #"[]"#) }
    }
}

/// The store's encoder writes what `JSONEncoder` writes (the same values, members in the type's
/// order), and the store's decoder reads it back.
@Suite struct JSONTextEncoderTests {
    struct Empty: Codable, Equatable {}
    enum Small: Int32, Codable { case seven = 7 }
    struct Scalars: Codable, Equatable {
        var small: Small
        var tiny: Int8
        var short: Int16
        var unsigned: UInt16
        var ratio: Float
        var bytes: [UInt8]
        var big: UInt64
    }
    /// Writes into a nested container, then into the outer one again (the encoder must close the first).
    struct Manual: Encodable {
        enum Keys: String, CodingKey { case inner, list, after }
        func encode(to encoder: Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try inner.encode("x", forKey: .after)
            var list = outer.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode(true)
            try list.encode(2)
            try outer.encode(3, forKey: .after)
        }
    }
    struct Wide: Codable, Equatable {
        var outer: JSONValueDecoderTests.Outer
        var empty: Empty
        var empties: [Empty]
        var maybeShapes: [JSONValueDecoderTests.Shape?]
        var levels: [[Int64]]
        var flags: [String: Bool]
        var last: String
    }

    @Test func writesWhatJSONEncoderWrites() throws {
        let wide = Wide(
            outer: JSONValueDecoderTests().outer, empty: Empty(), empties: [Empty(), Empty()],
            maybeShapes: [nil, .dot, .box(width: -3, label: "a\u{0}b")], levels: [[], [1, Int64.max], [Int64.min]],
            flags: ["是": true, "否": false], last: "end")
        let text = try JSONTextEncoder.encode(wide)
        let foundation = try JSONEncoder().encode(wide)
        #expect(try JSONValue.parse(Array(text.utf8)) == (try JSONValue.parse(foundation)))
        #expect(try JSONValueDecoder.decode(Wide.self, from: text) == wide)
        let archive = ArchiveInput(
            unitId: "b1", region: "370202",
            head: Person(name: "王五", idNumber: .synthetic(index: 7), workStatus: .laidOff, phone: "13800000000"),
            members: [Member(name: "王小", idNumber: .synthetic(index: 8), relation: "child")],
            annualIncome: Money(fen: 1_800_000), mainCause: "laid_off")
        let archiveText = try JSONTextEncoder.encode(archive)
        #expect(
            try JSONValue.parse(Array(archiveText.utf8)) == (try JSONValue.parse(try JSONEncoder().encode(archive))))
        #expect(try JSONTextEncoder.encode(Manual()) == #"{"inner":{"after":"x"},"list":[1,[true],2],"after":3}"#)
        // Scalars whose own encode(to:) asks for a single-value container (a raw-value enum, Float):
        // written, not encoded back into themselves without end.
        let scalars = Scalars(
            small: .seven, tiny: -8, short: 300, unsigned: 65_535, ratio: 0.5, bytes: [0, 255], big: UInt64(Int64.max))
        let scalarText = try JSONTextEncoder.encode(scalars)
        #expect(try JSONValue.parse(Array(scalarText.utf8)) == (try JSONValue.parse(try JSONEncoder().encode(scalars))))
        #expect(try JSONValueDecoder.decode(Scalars.self, from: scalarText) == scalars)
        #expect(try JSONValue(encoding: scalars) == (try JSONValue.parse(try JSONEncoder().encode(scalars))))
        #expect(try JSONTextEncoder.encode(Float(1.5)) == "1.5")
        #expect(try JSONTextEncoder.encode(UInt16(9)) == "9")
        #expect(throws: EncodingError.self) { try JSONValue(encoding: UInt64.max) }
        #expect(try JSONTextEncoder.encode("x\"y") == #""x\"y""#)
        #expect(try JSONTextEncoder.encode([Int64]()) == "[]")
        #expect(throws: EncodingError.self) { try JSONTextEncoder.encode(["x": Double.infinity]) }
    }
}
