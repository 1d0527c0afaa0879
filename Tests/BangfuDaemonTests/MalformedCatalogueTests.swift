import BangfuVarlink
import Foundation
import Testing

/// A catalogue of malformed inputs, each with its defined answer, sent to the real daemon; after
/// all of them it still answers.
@Suite struct MalformedCatalogueTests {
    enum Answer: Equatable {
        /// An error reply with this name, then the connection stays usable.
        case error(String)
        /// An error reply, then the connection is closed.
        case errorThenClosed(String)
        /// The connection is closed without a reply.
        case closed
    }

    static let catalogue: [(String, [UInt8], Answer)] = [
        ("not JSON", Array("hello".utf8) + [0], .errorThenClosed("org.varlink.service.InvalidParameter")),
        ("invalid UTF-8", [0x7b, 0xff, 0xfe, 0x7d, 0], .errorThenClosed("org.varlink.service.InvalidParameter")),
        (
            "a JSON array, not a call", Array("[1,2]".utf8) + [0],
            .errorThenClosed("org.varlink.service.InvalidParameter")
        ),
        (
            "method is a number", Array(#"{"method":12}"#.utf8) + [0],
            .errorThenClosed("org.varlink.service.InvalidParameter")
        ),
        (
            "deep nesting",
            Array(
                (#"{"method":"org.bangfu.Admin.GetClock","parameters":{"x":"# + String(repeating: "[", count: 50_000)
                    + String(repeating: "]", count: 50_000) + "}}").utf8) + [0],
            .errorThenClosed("org.varlink.service.InvalidParameter")
        ),  // deeper than the JSON decoder allows: not a call
        (
            "unknown interface", Array(#"{"method":"org.example.Nope.X"}"#.utf8) + [0],
            .error("org.varlink.service.InterfaceNotFound")
        ),
        (
            "unknown method", Array(#"{"method":"org.bangfu.Cases.Explode"}"#.utf8) + [0],
            .error("org.varlink.service.MethodNotFound")
        ),
        (
            "wrong parameter type", Array(#"{"method":"org.bangfu.Cases.Get","parameters":{"caseNo":12}}"#.utf8) + [0],
            .error("org.varlink.service.InvalidParameter")
        ),
        (
            "missing parameter", Array(#"{"method":"org.bangfu.Admin.AdvanceClock","parameters":{}}"#.utf8) + [0],
            .error("org.varlink.service.InvalidParameter")
        ),
        (
            "huge number",
            Array(#"{"method":"org.bangfu.Admin.AdvanceClock","parameters":{"seconds":1e400}}"#.utf8) + [0],
            .errorThenClosed("org.varlink.service.InvalidParameter")
        ),
        (
            "integer overflow",
            Array(#"{"method":"org.bangfu.Admin.AdvanceClock","parameters":{"seconds":99999999999999999999999}}"#.utf8)
                + [0], .error("org.varlink.service.InvalidParameter")
        ),
        (
            "negative clock move",
            Array(#"{"method":"org.bangfu.Admin.AdvanceClock","parameters":{"seconds":-5}}"#.utf8) + [0],
            .error("org.bangfu.Admin.InvalidInput")
        ),
        (
            "listing without more", Array(#"{"method":"org.bangfu.Cases.List","parameters":{}}"#.utf8) + [0],
            .error("org.varlink.service.ExpectedMore")
        ),
        ("over the size limit", Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10), .closed),
    ]

    /// Whether `body` ended because the daemon closed the connection (end of stream, reset or broken
    /// pipe), not because the client's receive timed out or anything was answered.
    static func closedByThePeer(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch VarlinkClientError.closed {
            return true
        } catch VarlinkClientError.io(let why) {
            return why.contains("reset") || why.contains("Broken pipe")
        } catch {
            return false
        }
    }

    @Test func everyMalformedInputGetsItsDefinedAnswer() throws {
        let d = try LiveDaemon()
        for (name, bytes, expected) in Self.catalogue {
            // 5 s: well inside the daemon's 10 s message deadline, so a hang is not mistaken for a close.
            let c = try VarlinkClient(path: d.socket, timeoutSeconds: 5)
            try? c.send(Data(bytes))
            switch expected {
            case .closed:
                // Closed means the end of the stream well inside the timeout; a timeout is a hang, not a close.
                #expect(Self.closedByThePeer { _ = try c.receive() }, "\(name): not closed")
            case .error(let e), .errorThenClosed(let e):
                let reply = (try? c.receive()).flatMap { try? JSONDecoder().decode(VarlinkReply.self, from: $0) }
                #expect(reply?.error == e, "\(name): got \(String(describing: reply?.error))")
                // Usable afterwards, or closed, as defined.
                if case .error = expected {
                    let next = try? c.call("org.varlink.service.GetInfo")
                    #expect(next != nil, "\(name): the connection should stay usable")
                } else {
                    #expect(
                        Self.closedByThePeer { _ = try c.call("org.varlink.service.GetInfo") }, "\(name): not closed")
                }
            }
        }
        #expect(
            try d.call("org.varlink.service.GetInfo").first?["product"]?.stringValue == "bangfud",
            "the daemon carries on")
    }
}
