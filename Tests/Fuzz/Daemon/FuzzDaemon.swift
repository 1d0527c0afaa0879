import BangfuConfig
import BangfuCore
import BangfuDaemon
import BangfuVarlink
import BangfuWire
import Foundation
import Logging

/// libFuzzer target over bangfud's real handlers (`scripts/fuzz.sh`): every method of every
/// interface, on a throwaway SQLite store in /dev/shm, called by the granted callers below. An input
/// is NUL-framed varlink calls, each preceded by one byte that picks its caller (modulo the list,
/// so root is 9 as well as 0). A finding is a
/// crash, a hang, a reply that does not read back from its own JSON, a daemon that stops answering,
/// or a store whose audit chain or books no longer verify.

/// Root, then a caseworker, reviewer, approver, treasurer, auditor and helper, a caseworker of the
/// other branch, and a user with no grant.
let callers: [UInt32] = [0, 64_001, 64_002, 64_003, 64_004, 64_005, 64_006, 64_007, 64_009]

let root = FileManager.default.currentDirectoryPath
let configuration = """
    calendars:
      - file: \(root)/etc/calendars/2027.synthetic.yaml
    dibao:
      - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
    units:
      - { id: city, name: 市总工会, level: city }
      - { id: county, name: 区总工会, parent: city, level: county }
      - { id: b1, name: 一厂工会, parent: county, level: grassroots }
      - { id: b2, name: 二厂工会, parent: county, level: grassroots }
    grants:
      - { user: "uid:64001", role: caseworker, unit: b1 }
      - { user: "uid:64002", role: reviewer, unit: b1 }
      - { user: "uid:64003", role: approver, unit: county }
      - { user: "uid:64004", role: treasurer, unit: county }
      - { user: "uid:64005", role: auditor, unit: city }
      - { user: "uid:64006", role: helper, unit: b1 }
      - { user: "uid:64007", role: caseworker, unit: b2 }
      - { user: "uid:64003", role: admin, unit: city }
    """

/// Where an async body leaves its result for the synchronous caller waiting on it.
final class Outcome<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
}

/// Runs `body` to completion from libFuzzer's synchronous callback.
func blocking<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) -> Result<Value, any Error> {
    let box = Outcome<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return box.result!
}

/// The daemon under test, made once per fuzzing process.
let daemon: (runtime: Runtime, service: VarlinkService) = {
    // BANGFU_FUZZ_STATE keeps the store where it says, to look at after a finding.
    let kept = ProcessInfo.processInfo.environment["BANGFU_FUZZ_STATE"]
    let stateDir = kept ?? "/dev/shm/bangfu-fuzz-\(getpid())"
    try? FileManager.default.removeItem(atPath: stateDir)
    try! FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
    let configPath = stateDir + "/bangfu.yaml"
    try! configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
    if kept == nil { atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/bangfu-fuzz-\(getpid())") } }
    let config = try! BangfuConfiguration.load(path: configPath)
    let start = BusinessZone.shanghai.startOfDay(LocalDate(year: 2027, month: 2, day: 4)!).addingTimeInterval(9 * 3600)
    let clock = try! DaemonClock.manual(stateDir: stateDir, start: start)
    let options = Runtime.Options(
        configPath: configPath, stateDir: stateDir, socketPath: stateDir + "/unused.sock",
        pluginDir: ProcessInfo.processInfo.environment["BANGFU_PLUGIN_DIR"] ?? "\(root)/.build/debug",
        version: "fuzz")
    var quiet = Logger(label: "bangfu.fuzz")
    quiet.logLevel = .critical
    let logger = quiet
    let runtime = try! blocking { try await Runtime(options: options, config: config, clock: clock, logger: logger) }
        .get()
    return (runtime, Daemon.service(runtime: runtime))
}()

nonisolated(unsafe) var inputs = 0
let verbose = ProcessInfo.processInfo.environment["BANGFU_FUZZ_VERBOSE"] != nil

func serve(_ frame: ArraySlice<UInt8>) {
    guard let first = frame.first, let call = try? VarlinkCall(parsing: Data(frame.dropFirst())) else { return }
    let uid = callers[Int(first) % callers.count]
    // A backup writes where its caller says: not from a fuzzer.
    if call.method == WireMethod.adminBackup.rawValue { return }
    let request = VarlinkRequest(call: call, peer: PeerCredentials(pid: 1, uid: uid, gid: 64_000))
    let replies = try! blocking { await daemon.service.handle(request) }.get()
    // BANGFU_FUZZ_VERBOSE shows each call's answer, to check what a seed reaches.
    if verbose { print(call.method, String(decoding: replies.last?.jsonBytes ?? [], as: UTF8.self).prefix(300)) }
    for reply in replies {
        guard let back = try? VarlinkReply(parsing: reply.jsonBytes), back == reply else {
            fatalError("a reply does not read back from its own JSON: \(reply)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDaemon(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    var start = 0
    while start <= bytes.count {
        guard case .frame(let length) = NULFramer.next(in: bytes[start...], maxBytes: 65_536) else { break }
        serve(bytes[start..<(start + length)])
        start += length + 1
    }
    // Still answering, whatever came before.
    let clock = VarlinkRequest(
        call: VarlinkCall(method: WireMethod.adminGetClock.rawValue), peer: PeerCredentials(pid: 1, uid: 0, gid: 0))
    let answer = try! blocking { await daemon.service.handle(clock) }.get()
    if answer.last?.error != nil { fatalError("bangfud stopped answering: \(answer)") }
    // The books and the audit chain, every 100 inputs.
    inputs += 1
    if inputs % 100 == 0 {
        let report = try! blocking { try await daemon.runtime.store.verify() }.get()
        if !report.ok { fatalError("the store no longer verifies: \(report.problems)") }
    }
    return 0
}
