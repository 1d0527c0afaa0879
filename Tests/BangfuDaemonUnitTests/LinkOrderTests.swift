import BangfuLoad
import Foundation
import Testing

/// The link order bangfud is laid out by comes from callgrind's dumps: the functions it names must be
/// bangfud's own, with their own instructions, and start-up's must come first.
@Suite struct LinkOrderTests {
    /// A dump written by hand in callgrind's format: two objects, compressed names, a call whose
    /// inclusive cost is not the caller's own, a recursion level, a function that cost nothing, code
    /// callgrind names by its address and the part below `main`.
    static let dump = """
        # callgrind format
        version: 1
        creator: callgrind-3.19.0
        positions: line
        events: Ir
        summary: 1234

        ob=(1) /usr/lib/x86_64-linux-gnu/libc.so.6
        fl=(1) ???
        fn=(1) memcpy
        0 50

        ob=(2) /var/tmp/run/bin/bangfud
        fl=(2) ???
        fn=(2) $s7bangfud4MainV
        0 100
        cob=(1)
        cfi=(1)
        cfn=(1)
        calls=2 0
        0 500
        +1 20
        fn=(3) $s7bangfud6helperyyF'2
        * 7
        fn=(4) $s7bangfud4idleyyF
        0 0
        fn=(6) 0x0000000000012340
        0 3
        fn=(7) (below main)
        0 4
        fn=(2)
        -1 5
        ob=(1)
        fn=(1)
        0 40
        ob=(3) /var/tmp/run/bin/libbangfu-help-medical-aid.so
        fn=(5) bangfu_help_type_v1
        0 9

        totals: 731
        """

    @Test func functionsAreTheObjectsOwnWithTheirOwnInstructions() throws {
        let path = NSTemporaryDirectory() + "link-order-\(UUID().uuidString).callgrind"
        try Self.dump.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let functions = try LinkOrder.functions(inDump: path, object: "bangfud")
        #expect(functions.map(\.name) == ["$s7bangfud4MainV", "$s7bangfud6helperyyF"])
        // 100 + 20 + 5 of its own; the 500 spent in memcpy under the call is memcpy's.
        #expect(functions.map(\.instructions) == [125, 7])
    }

    @Test func startUpFirstThenTheCallsEachByName() {
        var order = LinkOrder()
        order.startup = ["setUp", "main"]
        order.calls = ["read", "setUp", "write", "read", "check"]
        // setUp once, with start-up; read once.
        #expect(order.text() == "main\nsetUp\ncheck\nread\nwrite\n")
    }
}
