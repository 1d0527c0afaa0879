import Foundation

/// The order bangfud's functions are linked in (`Sources/bangfud/link-order.txt`, lld's
/// `--symbol-ordering-file`): first every function that ran while it started, then every other
/// function a call ran; the rest after them. The kernel maps a binary's code 64 KiB around each page
/// it faults in, so code run at start-up scattered over 11 MiB keeps most of it resident in an idle
/// daemon; gathered at the front it keeps about one MiB.
public struct LinkOrder: Sendable {
    /// Functions that ran from exec to READY=1 and the first idle moment, in the order callgrind met them.
    public var startup: [String] = []
    /// Functions that ran in calls.
    public var calls: [String] = []

    public init() {}

    /// The ordering file: one symbol per line, start-up's first, then the calls' not already named,
    /// each group by name. Within a group the order does not matter to what stays resident, and by
    /// name a list written again differs only by the functions that came or went (callgrind's own
    /// order and counts vary from run to run).
    public func text() -> String {
        let early = Set(startup)
        let later = Set(calls).subtracting(early)
        return (early.sorted() + later.sorted()).map { $0 + "\n" }.joined()
    }

    /// The functions of `object` (a file name, e.g. "bangfud") that have instructions of their own in
    /// a callgrind dump written with `--demangle=no`, in the order the dump names them; code without a
    /// symbol is left out (the linker could not place it by name).
    ///
    /// The format (valgrind's callgrind format specification): `ob=`/`fn=` set the current object and
    /// function, `(id) name` the first time and `(id)` after; a `calls=` line is followed by one cost
    /// line that is the callee's inclusive cost, every other cost line is the function's own.
    public static func functions(inDump path: String, object: String) throws -> [(name: String, instructions: Int)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var objects: [Substring: Substring] = [:]
        var names: [Substring: Substring] = [:]
        var inObject = false
        var function: Substring?
        var afterCall = false
        var own: [Substring: Int] = [:]
        var order: [Substring] = []

        func resolve(_ value: Substring, in table: inout [Substring: Substring]) -> Substring {
            guard value.first == "(", let close = value.firstIndex(of: ")") else { return value }
            let id = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...].drop(while: { $0 == " " })
            if !rest.isEmpty { table[id] = rest }
            return table[id] ?? rest
        }

        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("ob=") {
                let name = resolve(line.dropFirst(3), in: &objects)
                inObject = name.split(separator: "/").last == Substring(object)
            } else if line.hasPrefix("cob=") {
                _ = resolve(line.dropFirst(4), in: &objects)
            } else if line.hasPrefix("fn=") {
                // Recursion levels are named `name'2`: the symbol is the part before the quote.
                let name = resolve(line.dropFirst(3), in: &names)
                function = inObject ? name.split(separator: "'", maxSplits: 1).first : nil
                // Not symbols: code without a name is called by its address, and "(below main)".
                if let named = function, named.hasPrefix("0x") || named.contains(" ") { function = nil }
                afterCall = false
            } else if line.hasPrefix("cfn=") {
                _ = resolve(line.dropFirst(4), in: &names)
            } else if line.hasPrefix("calls=") {
                afterCall = true
            } else if let first = line.first, first.isNumber || first == "+" || first == "-" || first == "*" {
                if afterCall {
                    afterCall = false
                    continue
                }
                guard let function, let cost = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
                    cost > 0
                else { continue }
                if own[function] == nil { order.append(function) }
                own[function, default: 0] += cost
            }
        }
        return order.map { (String($0), own[$0] ?? 0) }
    }
}
