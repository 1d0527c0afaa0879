import BangfuLoad
import Foundation

struct EndToEndFigures: Encodable {
    var clients: Int
    var cases: Int
    var seconds: Double
    /// The AdvanceClock call: the scheduler passing every notice and scheduling the disbursements.
    var noticeSeconds: Double
    var casesPerSecond: Double
    var transitionsPerSecond: Double
    var calls: Int
    var p50Micros: UInt64
    var p99Micros: UInt64
    var p999Micros: UInt64
    var meanMicros: Double
    /// bangfud's own CPU time per case (all its transitions), apart from the clients'.
    var daemonCPUMicrosPerCase: Double
    var errors: [String]
    var caseNumbers: [String]
    var daemonPeakRSSMiB: Double = 0

    enum CodingKeys: String, CodingKey {
        case clients, cases, seconds, noticeSeconds, casesPerSecond, transitionsPerSecond, calls, p50Micros, p99Micros,
            p999Micros,
            meanMicros, daemonCPUMicrosPerCase, errors, daemonPeakRSSMiB
    }
}

struct ReadFigures: Codable {
    var clients: Int
    var requests: Int
    var requestsPerSecond: Double
    var p50Micros: UInt64
    var p99Micros: UInt64
    var p999Micros: UInt64
    /// The server's own CPU time per read, apart from the clients'.
    var daemonCPUMicrosPerRequest: Double
    /// The part of it spent in the kernel (socket calls, wake-ups).
    var systemCPUMicrosPerRequest: Double
    var errors: [String]
}

struct StartFigures: Codable {
    var storedCases: Int
    var readySeconds: Double
    var idleRSSMiB: Double
    /// The private part of the idle resident set (heap, stacks); the rest is touched code pages of the binary and libraries.
    var idleAnonymousMiB: Double

    /// What `daemon` shows now, idle since its start.
    init(_ daemon: DaemonProcess, storedCases: Int) {
        let memory = daemon.memory()
        self.storedCases = storedCases
        readySeconds = daemon.readySeconds
        idleRSSMiB = memory.rss
        idleAnonymousMiB = memory.anonymous
    }
}

struct GrowthFigures: Codable {
    var storedCases: Int
    var seedSeconds: Double
    var start: StartFigures
    var meanMicrosPerCall: Double
    var p50Micros: UInt64
    var p99Micros: UInt64
    /// bangfud's own CPU time per call of the growth step's cases.
    var daemonCPUMicrosPerCall: Double
}

/// Everything one run measured, with the ratios the targets are stated in.
struct Report: Encodable {
    var build: String
    var cases: Int
    /// The store bangfud ran on: sqlite or postgres.
    var store = "sqlite"
    /// pgbench on the same PostgreSQL server (a PostgreSQL run's comparator).
    var pgbench: [PGBenchFigures] = []
    /// The daemon's settings as its Status reports them (read from SQLite, not assumed).
    var synchronous = "?"
    var journalMode = "?"
    var endToEnd: [EndToEndFigures] = []
    var comparedAtClients: Int?
    var comparatorCases = 0
    var transitionsPerCase = 0
    var floor: SQLiteComparator.Result?
    var ceiling: SQLiteComparator.Result?
    var readsAt: [ReadFigures] = []
    /// The floor server's reads (C, the same reply from the same database), by the same load client.
    var floorReadsAt: [ReadFigures] = []
    /// Whether the floor answered a case read with the very bytes bangfud answered.
    var floorAnswersTheSame: Bool?
    var emptyStart: StartFigures?
    var growth: [GrowthFigures] = []

    var compared: EndToEndFigures? { endToEnd.first { $0.clients == comparedAtClients } }
    var overFloor: Double? { compared.flatMap { c in floor.map { c.casesPerSecond / $0.casesPerSecond } } }
    var overCeiling: Double? { compared.flatMap { c in ceiling.map { c.casesPerSecond / $0.casesPerSecond } } }
    var growthRatio: Double? {
        guard let small = growth.first, let large = growth.last, growth.count > 1 else { return nil }
        return large.meanMicrosPerCall / small.meanMicrosPerCall
    }

    struct Ratios: Encodable {
        var daemonOverFloor: Double?
        var daemonOverCeiling: Double?
        var growthLargeOverSmall: Double?
    }

    /// What `--json` prints: every field of the report, and the ratios derived from them beside.
    struct WithRatios: Encodable {
        let report: Report
        enum Key: CodingKey { case ratios }

        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(
                Ratios(
                    daemonOverFloor: report.overFloor, daemonOverCeiling: report.overCeiling,
                    growthLargeOverSmall: report.growthRatio), forKey: .ratios)
        }
    }

    func table() -> String {
        var out: [String] = []
        func f(_ v: Double, _ d: Int = 0) -> String { String(format: "%.\(d)f", v) }
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        out.append(
            "bangfu-bench (\(build) build; store \(store); bangfud writes with synchronous=\(synchronous), journal_mode=\(journalMode))"
        )
        out.append("")
        out.append(
            "end to end: \(cases) cases through application, review, notice (manual clock) and payment, \(transitionsPerCase) transitions each"
        )
        out.append(
            [
                "clients", "cases/s", "transitions/s", "p50 µs", "p99 µs", "p99.9 µs", "notice s", "CPU µs/case",
                "CPU µs/tr", "peak RSS MiB", "errors",
            ].map { pad($0, 14) }.joined())
        for e in endToEnd {
            out.append(
                [
                    String(e.clients), f(e.casesPerSecond, 1), f(e.transitionsPerSecond), String(e.p50Micros),
                    String(e.p99Micros),
                    String(e.p999Micros), f(e.noticeSeconds, 2), f(e.daemonCPUMicrosPerCase),
                    f(e.daemonCPUMicrosPerCase / Double(max(transitionsPerCase, 1))), f(e.daemonPeakRSSMiB, 1),
                    String(e.errors.count),
                ].map { pad($0, 14) }.joined())
        }
        if let floor, let ceiling, let k = comparedAtClients {
            out.append("")
            out.append(
                "plain SQLite, the same rows for \(comparatorCases) cases (synchronous=\(floor.synchronous), journal_mode=\(floor.journalMode)):"
            )
            func replayed(_ label: String, _ result: SQLiteComparator.Result) -> String {
                "  \(label) \(f(result.casesPerSecond, 1)) cases/s, \(f(result.transitionsPerSecond)) transitions/s, "
                    + "CPU \(f(result.cpuMicrosPerTransition)) µs/tr"
            }
            out.append(replayed("floor   (1 transition per transaction): ", floor))
            out.append(replayed("ceiling (16 transitions per transaction):", ceiling))
            out.append("  bangfud at \(k) clients / floor = \(f(overFloor ?? 0, 2))×")
            out.append("  bangfud at \(k) clients / ceiling = \(f(overCeiling ?? 0, 2))×   (target ≥ 0.6)")
            if let compared, transitionsPerCase > 0 {
                let perTransition = compared.daemonCPUMicrosPerCase / Double(transitionsPerCase)
                out.append("  bangfud CPU per transition at \(k) clients = \(f(perTransition)) µs   (target ≤ 150)")
                let overCeilingCPU = perTransition / max(ceiling.cpuMicrosPerTransition, 1)
                out.append("  bangfud CPU per transition / the ceiling's = \(f(overCeilingCPU, 2))×")
            }
        }
        if !pgbench.isEmpty, let compared {
            out.append("")
            out.append("pgbench's TPC-B-like run on the same PostgreSQL server (5 statements per transaction):")
            for run in pgbench {
                out.append("  \(run.clients) clients: \(f(run.transactionsPerSecond)) transactions/s")
            }
            if let same = pgbench.first(where: { $0.clients == compared.clients }) {
                out.append(
                    "  bangfud transitions/s at \(compared.clients) clients / pgbench transactions/s = \(f(compared.transitionsPerSecond / same.transactionsPerSecond, 2))×"
                )
            }
        }
        if !readsAt.isEmpty {
            out.append("")
            out.append("reads (Cases.Get as the auditor, from the C load client):")
            out.append(
                [
                    "server", "clients", "requests", "requests/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/req",
                    "kernel µs", "errors",
                ]
                .map { pad($0, 12) }.joined())
            for (server, runs) in [("bangfud", readsAt), ("floor", floorReadsAt)] {
                for r in runs {
                    out.append(
                        [
                            server, String(r.clients), String(r.requests), f(r.requestsPerSecond),
                            String(r.p50Micros), String(r.p99Micros), String(r.p999Micros),
                            f(r.daemonCPUMicrosPerRequest), f(r.systemCPUMicrosPerRequest), String(r.errors.count),
                        ].map { pad($0, 12) }.joined())
                }
            }
            for r in readsAt {
                guard let floor = floorReadsAt.first(where: { $0.clients == r.clients }) else { continue }
                out.append(
                    "  bangfud / floor at \(r.clients) clients: \(f(r.requestsPerSecond / floor.requestsPerSecond, 2))× the reads/s, \(f(r.daemonCPUMicrosPerRequest / floor.daemonCPUMicrosPerRequest, 1))× the CPU per read"
                )
            }
            if let read16 = readsAt.first(where: { $0.clients == 16 }) {
                let floor16 = floorReadsAt.first(where: { $0.clients == 16 })
                out.append(
                    "  targets at 16 clients: reads/s ≥ 0.5× the floor (\(f(read16.requestsPerSecond / (floor16?.requestsPerSecond ?? .nan), 2))×), CPU per read ≤ 40 µs (\(f(read16.daemonCPUMicrosPerRequest))), p99 ≤ 1000 µs (\(read16.p99Micros))"
                )
            }
            if let read1 = readsAt.first(where: { $0.clients == 1 }) {
                out.append("  target at 1 client: p50 ≤ 100 µs (\(read1.p50Micros))")
            }
            if let same = floorAnswersTheSame {
                out.append(
                    same
                        ? "  the floor answers the same bytes as bangfud" : "  THE FLOOR'S REPLY DIFFERS FROM BANGFUD'S"
                )
            }
        }
        out.append("")
        out.append("start and growth:")
        if let e = emptyStart {
            out.append(
                "  empty store: READY=1 in \(f(e.readySeconds, 3)) s, idle RSS \(f(e.idleRSSMiB, 1)) MiB (private \(f(e.idleAnonymousMiB, 1)) MiB; target ≤ 40)"
            )
        }
        for g in growth {
            out.append(
                "  \(g.storedCases) cases stored (seeded in \(f(g.seedSeconds, 1)) s): READY=1 in \(f(g.start.readySeconds, 3)) s, idle RSS \(f(g.start.idleRSSMiB, 1)) MiB (private \(f(g.start.idleAnonymousMiB, 1))), a call \(f(g.meanMicrosPerCall)) µs mean, p50 \(g.p50Micros) µs, p99 \(g.p99Micros) µs, CPU \(f(g.daemonCPUMicrosPerCall)) µs"
            )
        }
        if let r = growthRatio {
            out.append("  a call with the largest store / with the smallest = \(f(r, 2))×   (target ≤ 1.5)")
        }
        return out.joined(separator: "\n")
    }
}
