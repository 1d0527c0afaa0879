import BangfuLoad
import BangfuVarlink
import BangfuWire
import Foundation
import Histogram
import Synchronization

/// Cases through application, branch review, public notice (the manual clock passes it) and disbursement.
enum EndToEnd {
    static func run(daemon: DaemonProcess, clients k: Int, cases n: Int, principals: LoadPrincipals = LoadPrincipals())
        throws -> EndToEndFigures
    {
        let setup = try LoadClient(socket: daemon.socket, principals: principals)
        let cpu0 = daemon.cpuSeconds()
        try setup.openFund("f1", fen: Int64(max(n, 1)) * 1_000_000)
        let perClient = (0..<k).map { n / k + ($0 < n % k ? 1 : 0) }
        let filed = Mutex([[String]](repeating: [], count: k))
        let toNotice = LoadRun.run(clients: k, socket: daemon.socket, principals: principals) { client, i in
            for j in 0..<perClient[i] {
                let c = try client.caseToNotice(i * 100_000 + j)
                filed.withLock { $0[i].append(c) }
            }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try daemon.admin(WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(20 * 86_400)])
        let noticeSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let lists = filed.withLock { $0 }
        let paying = LoadRun.run(clients: k, socket: daemon.socket, principals: principals) { client, i in
            for c in lists[i] { try client.pay(c, fund: "f1") }
        }
        var latency = toNotice.latency
        latency.add(paying.latency)
        let done = lists.reduce(0) { $0 + $1.count }
        let seconds = toNotice.seconds + noticeSeconds + paying.seconds
        // Two transitions per case are the daemon's own: notice elapsed and disbursement scheduled.
        let transitions = toNotice.transitions + paying.transitions + 2 * done
        return EndToEndFigures(
            clients: k, cases: done, seconds: seconds, noticeSeconds: noticeSeconds,
            casesPerSecond: Double(done) / seconds, transitionsPerSecond: Double(transitions) / seconds,
            calls: toNotice.calls + paying.calls, p50Micros: latency.valueAtPercentile(50),
            p99Micros: latency.valueAtPercentile(99), p999Micros: latency.valueAtPercentile(99.9),
            meanMicros: latency.mean, daemonCPUMicrosPerCase: (daemon.cpuSeconds() - cpu0) * 1e6 / Double(max(done, 1)),
            errors: toNotice.errors + paying.errors, caseNumbers: lists.flatMap { $0 })
    }
}

/// Getting a case as the auditor, as dashboards and bangfuctl do, from the C load client: from
/// bangfud, or from the floor server answering the same bytes.
enum Reads {
    static func run(
        socket: String, pid: Int32, clients k: Int, requests: Int, cases: [String],
        principals: LoadPrincipals = LoadPrincipals()
    ) throws -> ReadFigures {
        let cpu0 = ProcessFigures.cpuTimes(pid: pid)
        let figures = try ReadLoad.run(
            socket: socket, uid: principals.auditor, gid: principals.gid, clients: k, requests: requests,
            caseNumbers: cases)
        let cpu1 = ProcessFigures.cpuTimes(pid: pid)
        let count = Double(max(figures.requests, 1))
        return ReadFigures(
            clients: k, requests: figures.requests, requestsPerSecond: Double(figures.requests) / figures.seconds,
            p50Micros: figures.latency.valueAtPercentile(50), p99Micros: figures.latency.valueAtPercentile(99),
            p999Micros: figures.latency.valueAtPercentile(99.9),
            daemonCPUMicrosPerRequest: (cpu1.user + cpu1.system - cpu0.user - cpu0.system) * 1e6 / count,
            systemCPUMicrosPerRequest: (cpu1.system - cpu0.system) * 1e6 / count, errors: figures.errors)
    }
}
