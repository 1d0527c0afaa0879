import BangfuVarlink
import Foundation
import Testing

/// bangfu-bench at a smoke size: the real daemon, every section, JSON out. Figures are printed,
/// never compared with a target here (shared machines are noisy); what must hold is that every
/// call succeeded and every section produced its figures.
@Suite struct BenchSmokeTests {
    /// bangfu-import-bench at a smoke size: every household archived through bangfud, the floor
    /// measured in the same run.
    @Test func importBenchRunsAtSmokeSize() throws {
        let (code, out, err) = try LiveDaemon.run(
            [LiveDaemon.bin + "/bangfu-import-bench"], ["--rows", "60", "--bin", LiveDaemon.bin, "--json"])
        #expect(code == 0, "\(err)")
        let figures = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        #expect(figures["households"]?.number == 30, "\(out)")
        #expect((figures["importOverFloor"]?.number ?? 0) > 0)
    }

    @Test func benchRunsEverySectionAtSmokeSize() throws {
        let (code, out, err) = try LiveDaemon.run(
            [LiveDaemon.bin + "/bangfu-bench"],
            [
                "--clients", "1,4,16", "--cases", "48", "--reads", "400", "--growth", "200,2000",
                "--growth-cases", "8", "--bin", LiveDaemon.bin, "--json",
            ])
        #expect(code == 0, "\(err)")
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        let e2e = report["endToEnd"]?.array ?? []
        #expect(e2e.count == 3)
        for row in e2e {
            #expect(row["cases"]?.int == 48 && row["errors"]?.array?.isEmpty == true, "\(row)")
        }
        #expect(
            report["floor"]?["synchronous"]?.string == "FULL"
                && report["ceiling"]?["transitionsPerTransaction"]?.int == 16)
        // The comparators replay bangfud's evidence too (its entries' fact rows), and say what CPU
        // plain SQLite spent on the rows.
        for comparator in ["floor", "ceiling"] {
            #expect((report[comparator]?["factRows"]?.int ?? 0) >= 48 * 8, "\(comparator)")
            #expect((report[comparator]?["cpuMicrosPerTransition"]?.number ?? 0) > 0, "\(comparator)")
        }
        // The daemon's side as bangfud itself reports it (Admin.Status reads SQLite back).
        #expect(report["synchronous"]?.string == "FULL" && report["journalMode"]?.string == "wal")
        #expect(report["transitionsPerCase"]?.int == 8)
        #expect(
            (report["readsAt"]?.array ?? []).allSatisfy {
                $0["errors"]?.array?.isEmpty == true && $0["requests"]?.int == 400
            })
        #expect(report["growth"]?.array?.count == 2)
        #expect(report["ratios"]?["daemonOverFloor"] != nil)
        // The C floor server answered a case read with the very bytes bangfud sent, then its reads.
        #expect(report["floorAnswersTheSame"]?.boolValue == true, "\(err)")
        #expect(
            (report["floorReadsAt"]?.array ?? []).map { $0["clients"]?.int } == [1, 16]
                && (report["floorReadsAt"]?.array ?? []).allSatisfy { $0["errors"]?.array?.isEmpty == true })
        print(err.split(separator: "\n").suffix(3).joined(separator: "\n"))
    }

    /// bangfud under callgrind: instructions per call for each kind of call in the fixed sequence, and
    /// the link order those runs give (the functions bangfud ran, by their symbols).
    @Test func instructionCountsComeForEveryKindOfCall() throws {
        let order = NSTemporaryDirectory() + "link-order-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: order) }
        let (code, out, err) = try LiveDaemon.run(
            [LiveDaemon.bin + "/bangfu-bench"],
            ["--callgrind", "3", "--bin", LiveDaemon.bin, "--json", "--link-order", order])
        #expect(code == 0, "\(err)")
        let names = try String(contentsOfFile: order, encoding: .utf8).split(separator: "\n")
        // Symbols as the linker knows them: mangled, one each, none demangled into words and brackets.
        #expect(names.contains { $0.hasPrefix("$s7bangfud7BangfudV") }, "bangfud's command, run at start")
        #expect(names.contains { $0.hasPrefix("$s12BangfuDaemon10ControlAPIV") }, "the handlers, run by calls")
        #expect(Set(names).count == names.count && names.allSatisfy { !$0.contains(" ") && !$0.contains("'") })
        let counts = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        let perCall = counts["perCall"]?.objectValue ?? [:]
        #expect(
            Set(perCall.keys)
                == [
                    "Archive.Create", "Cases.File", "Cases.Submit", "Cases.PassReview", "Cases.Approve",
                    "notice elapsed + disbursement scheduled (per case)", "Cases.Pay", "Cases.Get (auditor)",
                ], "\(out)")
        // A call runs some thousands of instructions at the very least (a reply alone is hundreds of bytes).
        #expect(perCall.values.allSatisfy { ($0.number ?? 0) > 10_000 }, "\(out)")
        // The floor server answers the same read with less work than bangfud (no authorization, no
        // parsing beyond the case number), but still reads three queries and writes the reply.
        let floor = counts["floorPerRead"]?.number ?? 0
        #expect(floor > 10_000 && floor < (perCall["Cases.Get (auditor)"]?.number ?? 0), "\(out)")
    }

    /// The same bench on PostgreSQL (a server it starts itself), with pgbench beside it.
    @Test func benchRunsOnPostgreSQLBesidePgbench() throws {
        let (code, out, err) = try LiveDaemon.run(
            [LiveDaemon.bin + "/bangfu-bench"],
            [
                "--store", "postgres", "--clients", "1,4", "--cases", "16", "--reads", "100", "--growth", "",
                "--pgbench-transactions", "100", "--bin", LiveDaemon.bin, "--json",
            ])
        #expect(code == 0, "\(err)")
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        #expect(report["store"]?.string == "postgres" && report["journalMode"]?.string == "postgresql")
        for row in report["endToEnd"]?.array ?? [] {
            #expect(row["cases"]?.int == 16 && row["errors"]?.array?.isEmpty == true, "\(row)")
        }
        let pgbench = report["pgbench"]?.array ?? []
        #expect(pgbench.map { $0["clients"]?.int } == [1, 4])
        #expect(pgbench.allSatisfy { ($0["transactionsPerSecond"]?.number ?? 0) > 0 }, "\(pgbench)")
    }
}
