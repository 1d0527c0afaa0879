import BangfuLoad
import BangfuWire
import Foundation

/// Instructions bangfud executes per call, counted by callgrind over a fixed call sequence: a
/// figure that holds on a noisy machine without hardware counters, to compare one change with the
/// next. Every thread of bangfud counts (event loops, the writer, the scheduler).
struct InstructionCounts: Encodable {
    /// Calls of each kind in the sequence.
    var calls: Int
    /// Instructions per call, by kind, in the order they ran.
    var perCall: [(kind: String, instructions: Double)] = []
    /// bangfud's instructions for the cases' transitions, over their number: every kind but the read.
    var perTransition = 0.0
    /// Plain SQLite writing the same cases' rows, 16 transitions per commit (the grouped ceiling of
    /// `SQLiteComparator`), per transition; nil until counted.
    var ceilingPerTransition: Double?
    /// The floor server (`bangfu-read-floor`) answering the same reads with the same bytes, per read;
    /// nil until counted.
    var floorPerRead: Double?

    enum CodingKeys: String, CodingKey { case calls, perCall, perTransition, ceilingPerTransition, floorPerRead }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(calls, forKey: .calls)
        try container.encode(
            Dictionary(uniqueKeysWithValues: perCall.map { ($0.kind, $0.instructions) }), forKey: .perCall)
        try container.encode(perTransition, forKey: .perTransition)
        try container.encodeIfPresent(ceilingPerTransition, forKey: .ceilingPerTransition)
        try container.encodeIfPresent(floorPerRead, forKey: .floorPerRead)
    }

    /// The functions of bangfud that ran, by dump: starting up, the warm-up case, then each kind of call.
    var executed = LinkOrder()

    /// Starts bangfud under callgrind, then for each kind of call: zero the counters, make `calls`
    /// of them from one client, dump, and read the total.
    static func run(env: BenchEnvironment, calls: Int) throws -> InstructionCounts {
        guard calls > 0 else { throw LoadError("--callgrind takes a positive number of calls") }
        for tool in ["/usr/bin/valgrind", "/usr/bin/callgrind_control", "/usr/bin/objcopy"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw LoadError("--callgrind needs \(tool): apt-get install valgrind binutils")
        }
        let out = env.root + "/callgrind-counts"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes: it runs copies without
        // debug information (the symbol tables, which name the functions, stay).
        var env = env
        env.bin = try strippedCopies(of: env.bin, into: out + "/bin")
        progress("callgrind: starting bangfud under valgrind (slow)")
        let daemon = try env.daemon(
            "callgrind",
            launcher: callgrind(["--callgrind-out-file=\(out)/bangfud.%p"]))
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        var counts = InstructionCounts(calls: calls)
        var dumps = 0
        // Each dump's name is a plain word: callgrind_control passes it on unquoted.
        func dump(_ name: String) throws -> (path: String, instructions: Double) {
            dumps += 1
            try control(pid, "--dump=\(name)")
            let path = "\(out)/bangfud.\(pid).\(dumps)"
            return (path, try dumpTotal(at: path))
        }
        // Start-up is all an idle daemon runs: READY=1, then the services' first passes (the scheduler,
        // the audit head, retention), which take well under a second even under valgrind.
        Thread.sleep(forTimeInterval: 5)
        let startup = try dump("startup")
        counts.executed.startup = try LinkOrder.functions(inDump: startup.path, object: "bangfud").map(\.name)
        let client = try LoadClient(socket: daemon.socket, principals: env.principals)
        try client.openFund("f1", fen: Int64(calls) * 1_000_000)
        // Warm up: one case end to end, so the first of each kind pays no one-time costs.
        let warm = try client.caseToNotice(999_999)
        try client.get(warm)
        let warmup = try dump("warmup")
        counts.executed.calls += try LinkOrder.functions(inDump: warmup.path, object: "bangfud").map(\.name)

        func measure(_ kind: String, _ body: () throws -> Void) throws {
            try control(pid, "--zero")
            try body()
            let step = try dump("step\(counts.perCall.count + 1)")
            counts.perCall.append((kind, step.instructions / Double(calls)))
            counts.executed.calls += try LinkOrder.functions(inDump: step.path, object: "bangfud").map(\.name)
            progress("  \(kind): \(Int(counts.perCall.last!.instructions)) instructions per call")
        }
        var archives: [String] = []
        var cases: [String] = []
        try measure("Archive.Create") { archives = try (0..<calls).map { try client.createArchive($0) } }
        try measure("Cases.File") {
            cases = try archives.enumerated().map { n, archiveNo in try client.file(n, archiveNo: archiveNo) }
        }
        for step in LoadClient.Step.allCases {
            try measure("Cases.\(step.rawValue)") { for caseNo in cases { try client.advance(caseNo, step) } }
        }
        try measure("notice elapsed + disbursement scheduled (per case)") {
            _ = try daemon.admin(WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(20 * 86_400)])
        }
        try measure("Cases.Pay") { for caseNo in cases { try client.pay(caseNo, fund: "f1") } }
        let transitionsTotal = counts.perCall.reduce(0) { sum, call in sum + call.instructions } * Double(calls)
        try measure("Cases.Get (auditor)") { for caseNo in cases { try client.get(caseNo) } }
        let reply = try ReadLoad.reply(
            socket: daemon.socket, uid: env.principals.auditor, gid: env.principals.gid,
            message: ReadLoad.caseGet(cases[0]))
        daemon.stop()

        counts.floorPerRead = try floorPerRead(
            database: daemon.stateDir + "/bangfu.sqlite", cases: cases, bangfudReply: reply, env: env, out: out)

        let ceiling = try ceiling(database: daemon.stateDir + "/bangfu.sqlite", calls: calls, bin: env.bin, out: out)
        counts.perTransition = transitionsTotal / ceiling.transitions
        counts.ceilingPerTransition = ceiling.instructions / ceiling.transitions
        return counts
    }

    /// The grouped ceiling's instructions, and the transitions of the cases bangfud made: this
    /// program replays those cases under callgrind (`--replay-ceiling`), counting only the timed
    /// loop (`writeTransitions`).
    static func ceiling(database: String, calls: Int, bin: String, out: String) throws
        -> (instructions: Double, transitions: Double)
    {
        progress("callgrind: the same rows straight into SQLite (the grouped ceiling)")
        let program = try strippedCopy(of: CommandLine.arguments[0], into: bin)
        let work = out + "/ceiling"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let process = Process()
        let launcher = callgrind([
            "--collect-atstart=no", "--toggle-collect=*16SQLiteComparatorV16writeTransitions*",
            "--callgrind-out-file=\(out)/ceiling.out",
        ])
        process.executableURL = URL(fileURLWithPath: launcher[0])
        process.arguments =
            launcher.dropFirst() + [
                program, "--replay-ceiling", database, "--cases", String(calls), "--work", work,
            ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let transitions = Double(printed.trimmingCharacters(in: .whitespacesAndNewlines)), transitions > 0
        else {
            throw LoadError("callgrind: the ceiling's replay failed or no case reached payment (\(printed))")
        }
        return (try dumpTotal(at: out + "/ceiling.out"), transitions)
    }

    /// The floor server's instructions per read of the cases bangfud read, after checking that it
    /// answers bangfud's bytes. Reads go over one connection from the C load client. The count is
    /// (2n reads - n reads) / n, so that the connection's setup (a thread, an open database, its
    /// statements) and teardown cancel out. Every thread of the floor counts, as for bangfud.
    static func floorPerRead(
        database: String, cases: [String], bangfudReply: String, env: BenchEnvironment, out: String
    ) throws -> Double {
        progress("callgrind: the floor server reading the same cases")
        let floor = try ReadFloor(
            binary: env.bin + "/bangfu-read-floor", socket: out + "/floor.sock", database: database,
            owner: env.principals.auditor,
            launcher: callgrind(["--log-file=\(out)/floor.log", "--callgrind-out-file=\(out)/floor.%p"]))
        defer { floor.stop() }
        let pid = floor.process.processIdentifier
        let floorReply = try ReadLoad.reply(
            socket: floor.socket, uid: env.principals.auditor, gid: env.principals.gid,
            message: ReadLoad.caseGet(cases[0]))
        guard floorReply == bangfudReply else {
            throw LoadError("callgrind: the floor's reply differs from bangfud's:\n\(bangfudReply)\n\(floorReply)")
        }
        // That connection's thread closes its database after the client leaves: before the windows.
        Thread.sleep(forTimeInterval: 1)
        func instructions(reads: Int, dump: Int) throws -> Double {
            try control(pid, "--zero")
            let figures = try ReadLoad.run(
                socket: floor.socket, uid: env.principals.auditor, gid: env.principals.gid, clients: 1,
                requests: reads, caseNumbers: cases)
            guard figures.errors.isEmpty else { throw LoadError("callgrind: \(figures.errors.joined())") }
            // The connection's thread closes its database after the client leaves: inside the window.
            Thread.sleep(forTimeInterval: 1)
            try control(pid, "--dump=floor\(reads)")
            return try dumpTotal(at: "\(out)/floor.\(pid).\(dump)")
        }
        let once = try instructions(reads: cases.count, dump: 1)
        let twice = try instructions(reads: 2 * cases.count, dump: 2)
        return (twice - once) / Double(cases.count)
    }

    /// valgrind running callgrind with `options`, ahead of the program it runs. Symbols stay mangled:
    /// the link order and the `--toggle-collect` pattern name functions as the linker does.
    static func callgrind(_ options: [String]) -> [String] {
        ["/usr/bin/valgrind", "--tool=callgrind", "--demangle=no"] + options
    }

    /// The program at `path` copied into `directory` without debug information.
    static func strippedCopy(of path: String, into directory: String) throws -> String {
        let copy = directory + "/" + URL(fileURLWithPath: path).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/objcopy")
        process.arguments = ["--strip-debug", path, copy]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LoadError("objcopy --strip-debug \(path) failed") }
        return copy
    }

    /// bangfud, the floor server and the help-type plugins of `bin`, copied into `directory` without
    /// debug information.
    static func strippedCopies(of bin: String, into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: bin).filter { name in
            ["bangfud", "bangfu-read-floor"].contains(name)
                || (name.hasPrefix("libbangfu-help-") && name.hasSuffix(".so"))
        }
        for name in names { _ = try strippedCopy(of: bin + "/" + name, into: directory) }
        return directory
    }

    /// Runs callgrind_control on bangfud.
    static func control(_ pid: Int32, _ argument: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/callgrind_control")
        process.arguments = [argument, String(pid)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LoadError("callgrind_control \(argument) failed") }
    }

    /// The `totals:` (instructions) of the dump at `path`, once callgrind has written it.
    static func dumpTotal(at path: String) throws -> Double {
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("totals:") }),
                let total = Double(line.split(separator: " ").last ?? "")
            {
                return total
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw LoadError("callgrind wrote no dump \(path)")
    }

    func table() -> String {
        var lines = ["instructions per call in bangfud (callgrind, \(calls) calls of each kind, one client):"]
        func line(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 52, withPad: " ", startingAt: 0) + value)
        }
        for (kind, instructions) in perCall { line(kind, String(format: "%12.0f", instructions)) }
        line("per transition (the calls above but the read)", String(format: "%12.0f", perTransition))
        if let ceilingPerTransition {
            line("SQLite ceiling per transition (same rows, 16/commit)", String(format: "%12.0f", ceilingPerTransition))
            line("bangfud / the ceiling", String(format: "%11.1fx", perTransition / ceilingPerTransition))
        }
        if let floorPerRead, let read = perCall.last(where: { $0.kind.hasPrefix("Cases.Get") }) {
            line("Cases.Get on the floor server (same reply bytes)", String(format: "%12.0f", floorPerRead))
            line("bangfud / the floor (a read)", String(format: "%11.1fx", read.instructions / floorPerRead))
        }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
