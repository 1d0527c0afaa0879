import BangfuVarlinkProtocol
import Foundation
import Testing

/// The hand-written JSON parser and writer agree with Foundation and refuse what RFC 8259 refuses.
@Suite struct JSONTextTests {
    @Test func roundTripsAndAgreesWithFoundation() throws {
        let texts = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"中文\n\"q\"\\","e":-0.5,"f":1e-7},"g":9223372036854775807,"h":-9223372036854775808}"#,
            #"[]"#, #"{}"#, #""\ud83d\ude00 \u00e9 \/""#, #"12345678901234567890"#, #"  [ 1 , 2 ]  "#, #"0"#, #"-0"#, #"1.5E+3"#,
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
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array((String(repeating: "[", count: 300) + String(repeating: "]", count: 300)).utf8)) }
        #expect((try? JSONValue.parse(Array((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8))) != nil)
    }

    @Test func varlinkCallsParseStrictly() throws {
        let call = try VarlinkCall(parsing: Array(#"{"method":"org.bangfu.Cases.Get","parameters":{"caseNo":"BF-1"},"more":true}"#.utf8))
        #expect(call.method == "org.bangfu.Cases.Get" && call.more == true && call.parameters?["caseNo"] == .string("BF-1"))
        for bad in [#"{"parameters":{}}"#, #"{"method":1}"#, #"{"method":"a.b","parameters":[]}"#, #"{"method":"a.b","more":"yes"}"#, #"[]"#] {
            #expect(throws: JSONValue.ParseError.self) { try VarlinkCall(parsing: Array(bad.utf8)) }
        }
        #expect(try VarlinkCall(parsing: call.jsonBytes) == call)
    }
}
