import ArgumentParser
import BangfuCore
import BangfuLoad
import BangfuVarlink
import BangfuWire
import Foundation
import Histogram
import Synchronization

/// Measures the real bangfud: end to end at K clients against SQLite's floor and grouped ceiling,
/// reads, growth with a large store, and start-up. Prints figures; asserts nothing.
///
/// A synchronous command whose main thread waits for the run's task, as bangfud is: an async main
/// parks the main thread in `dispatch_main`, which valgrind (3.19) cannot run, and `--callgrind`
/// runs a copy of this program under valgrind to count the SQLite ceiling's instructions.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-bench",
        abstract: "bangfud 性能基准 / Benchmarks of the real bangfud over its socket.",
        discussion: """
            Needs root: each load client connects as the caseworker, reviewer, approver, treasurer and
            auditor uids (61001–61005, granted as uid:N), as people at their desks would.
            A full run: bangfu-bench. A smoke run: bangfu-bench --cases 64 --reads 2000 --growth 1000,5000 --growth-cases 20.
            """)

    @Option(help: "并发客户端数 / Concurrent clients, comma-separated.") var clients = "1,16,64"
    @Option(help: "每档客户端数走完四个环节的案件数 / Cases driven through all four stages at each client count.") var cases = 2048
    @Option(help: "读取请求数（每档）/ Case reads at 1 and 16 clients.") var reads = 100_000
    @Option(help: "增长测试的已有案件数 / Stored cases for the growth figure, comma-separated.") var growth = "10000,1000000"
    @Option(help: "增长测试中新走的案件数 / Cases driven in each growth step.") var growthCases = 300
    @Option(help: "工作目录（默认 /var/tmp 下临时目录）/ Working directory.") var work: String?
    @Option(help: "bangfud 所在目录；默认本程序所在目录 / Directory of bangfud and the plugins.") var bin: String?
    @Flag(help: "输出 JSON / Print JSON.") var json = false
    @Option(help: "存储：sqlite 或 postgres / The store: sqlite or postgres.") var store = "sqlite"
    @Option(
        help: """
            PostgreSQL 服务器（连接串，不含口令，须能建库）；默认由本程序临时启动一个 / The PostgreSQL server \
            (a connection string without password, allowed to create databases); by default one started for the run.
            """) var postgresUrl: String?
    @Option(help: "pgbench 每个客户端的事务数 / pgbench transactions per client.") var pgbenchTransactions = 2_000
    @Option(
        help: """
            只做指令计数：在 valgrind --tool=callgrind 下运行 bangfud，每种调用 N 次 / Only count instructions: \
            bangfud under valgrind --tool=callgrind, N calls of each kind.
            """) var callgrind: Int?
    @Option(
        help: """
            与 --callgrind 同用：把 bangfud 运行过的函数按链接顺序写入此文件 / With --callgrind: write the functions \
            bangfud ran, in link order, to this file (scripts/link-order.sh).
            """) var linkOrder: String?
    @Option(
        help: ArgumentHelp(
            "Replay the cases of this bangfud database as the grouped ceiling and exit (--callgrind runs it).",
            visibility: .hidden)) var replayCeiling: String?

    func run() throws {
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, Error>>(.success(()))
        Task {
            do { try await measure() } catch { outcome.withLock { $0 = .failure(error) } }
            finished.signal()
        }
        finished.wait()
        try outcome.withLock { $0 }.get()
    }

    func measure() async throws {
        if let replayCeiling {
            // Under valgrind, for `InstructionCounts`: only `writeTransitions` is counted.
            // Its own directory, named by the caller: no fixed name in a shared /tmp.
            guard let work else { throw ValidationError("--replay-ceiling needs --work") }
            let comparator = try SQLiteComparator(daemonDatabase: replayCeiling, limit: cases)
            _ = try await comparator.replay(
                into: work + "/ceiling.sqlite", daemonDatabase: replayCeiling,
                units: LoadPrincipals.units, perTransaction: 16)
            print(comparator.transitionCount)
            return
        }
        guard geteuid() == 0 else {
            throw ValidationError(
                "bangfu-bench needs root: each load client connects as another uid (run it with sudo)")
        }
        let clientCounts = try list(clients, "--clients")
        let growthSizes = growth.isEmpty ? [] : try list(growth, "--growth")
        let dir =
            bin
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let root = work ?? "/var/tmp/bangfu-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { if work == nil { try? FileManager.default.removeItem(atPath: root) } }
        guard ["sqlite", "postgres"].contains(store) else { throw ValidationError("--store is sqlite or postgres") }
        var env = BenchEnvironment(bin: dir, root: root, calendar: try Self.calendarFile(bin: dir))
        var report = Report(build: Self.build, cases: cases)
        report.store = store
        var server: LocalPostgres?
        if store == "postgres" {
            if postgresUrl == nil {
                progress("postgres: starting a server for the run")
                server = try LocalPostgres()
            }
            env.postgres = try PostgresBench(url: postgresUrl ?? server!.url)
            env.principals = LoadPrincipals.named
            try env.principals.ensureAccounts()
        }
        defer { try? server?.stop() }
        if let callgrind {
            let counts = try InstructionCounts.run(env: env, calls: callgrind)
            print(json ? try counts.json() : counts.table())
            if let linkOrder {
                try counts.executed.text().write(toFile: linkOrder, atomically: true, encoding: .utf8)
                progress(
                    "link order: \(counts.executed.startup.count) functions of start-up, then those of the calls,"
                        + " in \(linkOrder)")
            }
            return
        }
        guard linkOrder == nil else { throw ValidationError("--link-order goes with --callgrind") }

        // Reads and the comparators go with the 16-client run (the targets are stated there), else the last.
        let compareAt = clientCounts.contains(16) ? 16 : clientCounts.last!
        for k in clientCounts {
            progress("end to end: \(cases) cases at \(k) clients")
            let daemon = try env.daemon("e2e-\(k)")
            var row = try EndToEnd.run(daemon: daemon, clients: k, cases: cases, principals: env.principals)
            let status = try daemon.admin(WireMethod.adminStatus.rawValue)
            report.synchronous = status["synchronous"]?.stringValue ?? "?"
            report.journalMode = status["journalMode"]?.stringValue ?? "?"
            row.daemonPeakRSSMiB = daemon.memory().peak
            report.endToEnd.append(row)
            var bangfudReply = ""
            if k == compareAt {
                for r in [1, 16] {
                    progress("reads: \(reads) case reads at \(r) clients")
                    report.readsAt.append(
                        try Reads.run(
                            socket: daemon.socket, pid: daemon.process.processIdentifier, clients: r, requests: reads,
                            cases: row.caseNumbers, principals: env.principals))
                }
                bangfudReply = try ReadLoad.reply(
                    socket: daemon.socket, uid: env.principals.auditor, gid: env.principals.gid,
                    message: ReadLoad.caseGet(row.caseNumbers[0]))
            }
            daemon.stop()
            if k == compareAt, env.postgres == nil {
                progress("reads: the floor server on the same database")
                let floor = try ReadFloor(
                    binary: dir + "/bangfu-read-floor", socket: root + "/floor.sock",
                    database: daemon.stateDir + "/bangfu.sqlite", owner: env.principals.auditor)
                let floorReply = try ReadLoad.reply(
                    socket: floor.socket, uid: env.principals.auditor, gid: env.principals.gid,
                    message: ReadLoad.caseGet(row.caseNumbers[0]))
                report.floorAnswersTheSame = floorReply == bangfudReply
                if floorReply != bangfudReply {
                    progress(
                        "  the floor's reply differs from bangfud's:\n  bangfud: \(bangfudReply)\n  floor:   \(floorReply)"
                    )
                }
                for r in [1, 16] {
                    report.floorReadsAt.append(
                        try Reads.run(
                            socket: floor.socket, pid: floor.process.processIdentifier, clients: r, requests: reads,
                            cases: row.caseNumbers, principals: env.principals))
                }
                floor.stop()
            }
            if k == compareAt, let postgres = env.postgres {
                // No comparator replays the rows here: the transitions per case come from the run itself.
                report.transitionsPerCase = Int(
                    (row.transitionsPerSecond * row.seconds / Double(max(row.cases, 1))).rounded())
                for clients in Array(Set([1, k])).sorted() {
                    progress("pgbench: TPC-B-like at \(clients) clients on the same server")
                    report.pgbench.append(try postgres.pgbench(clients: clients, transactions: pgbenchTransactions))
                }
                report.comparedAtClients = k
            } else if k == compareAt {
                progress("comparators: the same rows straight into SQLite")
                let database = daemon.stateDir + "/bangfu.sqlite"
                let comparator = try SQLiteComparator(daemonDatabase: database, limit: cases)
                report.comparatorCases = comparator.cases
                report.transitionsPerCase = comparator.transitionsPerCase
                report.floor = try await comparator.replay(
                    into: root + "/floor.sqlite", daemonDatabase: database, units: env.units, perTransaction: 1)
                report.ceiling = try await comparator.replay(
                    into: root + "/ceiling.sqlite", daemonDatabase: database, units: env.units,
                    perTransaction: 16)
                report.comparedAtClients = k
            }
            try? FileManager.default.removeItem(atPath: daemon.stateDir)
        }

        // Start-up and idle memory with an empty store, then growth with large ones.
        let empty = try env.daemon("empty")
        try await Task.sleep(for: .seconds(2))
        report.emptyStart = StartFigures(empty, storedCases: 0)
        empty.stop()
        for size in env.postgres == nil ? growthSizes : [] {
            let state = root + "/growth-\(size)"
            try FileManager.default.createDirectory(
                atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try StoreSeeder.requireFreeDisk(root, cases: size)
            progress("growth: seeding \(size) cases with SQL")
            let t0 = Date()
            try await StoreSeeder.seed(path: state + "/bangfu.sqlite", units: env.units, cases: size) { done in
                if done % 200_000 == 0 || done == size { progress("  \(done)/\(size)") }
            }
            let seeded = Date().timeIntervalSince(t0)
            let daemon = try env.daemon("growth-\(size)", fresh: false)
            try await Task.sleep(for: .seconds(2))
            let start = StartFigures(daemon, storedCases: size)
            progress(
                "growth: \(growthCases) cases at 1 client over \(size) stored (READY in \(String(format: "%.2f", start.readySeconds)) s)"
            )
            let e2e = try EndToEnd.run(daemon: daemon, clients: 1, cases: growthCases)
            report.growth.append(
                GrowthFigures(
                    storedCases: size, seedSeconds: seeded, start: start,
                    meanMicrosPerCall: e2e.meanMicros, p50Micros: e2e.p50Micros, p99Micros: e2e.p99Micros,
                    daemonCPUMicrosPerCall: e2e.daemonCPUMicrosPerCase * Double(e2e.cases) / Double(max(e2e.calls, 1))))
            daemon.stop()
            try? FileManager.default.removeItem(atPath: state)
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(Report.WithRatios(report: report)), as: UTF8.self))
        } else {
            print(report.table())
        }
    }

    func list(_ s: String, _ flag: String) throws -> [Int] {
        let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !v.isEmpty, v.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("\(flag) takes numbers separated by commas, e.g. 1,16,64")
        }
        return v
    }

    static var build: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    /// The synthetic 2027 holiday file: beside the binaries once installed, else in the source tree.
    static func calendarFile(bin: String) throws -> String {
        var url = URL(fileURLWithPath: bin)
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("etc/calendars/2027.synthetic.yaml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        throw ValidationError("cannot find etc/calendars/2027.synthetic.yaml above \(bin)")
    }
}

func progress(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// Where the daemons of one run live and what they are given.
struct BenchEnvironment {
    var bin: String
    let root: String
    let calendar: String
    var principals = LoadPrincipals()
    let units = LoadPrincipals.units
    /// The PostgreSQL server when the run measures that store (each daemon gets a database of its own).
    var postgres: PostgresBench?

    /// A daemon on its own state dir (emptied first unless `fresh` is false, e.g. after seeding).
    func daemon(_ name: String, fresh: Bool = true, launcher: [String] = []) throws -> DaemonProcess {
        let state = root + "/" + name
        if fresh { try? FileManager.default.removeItem(atPath: state) }
        try FileManager.default.createDirectory(
            atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let config = state + "/bangfu.yaml"
        var store = ""
        if let postgres { store = "store: { kind: postgres, url: \"\(try postgres.database(name))\" }" }
        try principals.configuration(calendarFile: calendar, names: postgres != nil, store: store).write(
            toFile: config, atomically: true, encoding: .utf8)
        return try DaemonProcess(
            bangfud: bin + "/bangfud", config: config, stateDir: state, pluginDir: bin,
            socketGroup: principals.gid, log: state + "/bangfud.log", launcher: launcher)
    }
}
