import BangfuVarlinkProtocol
import Foundation

/// libFuzzer target over varlink framing, JSON decoding and request dispatch (scripts/fuzz.sh).
/// The service answers introspection and methods that decode typed parameters the way bangfud's do;
/// every reply is encoded as the server would send it. A crash or a hang is a finding.

struct Typed: Decodable, Sendable {
    var caseNo: String
    var amount: Int64?
    var form: [String: JSONValue]?
    var items: [Int]?
    var flag: Bool?
    var nested: [String: [String: Int64]]?
}

let idl = """
    interface org.bangfu.Fuzz
    method Typed(caseNo: string, amount: ?int, form: ?object, items: ?[]int, flag: ?bool, nested: ?[string][string]int) -> (echo: string)
    method Stream(count: int) -> (n: int)
    error Refused (message: string)
    """

let service = VarlinkService(
    vendor: "bangfu", product: "fuzz", version: "0", url: "",
    interfaces: [
        VarlinkInterface(
            name: "org.bangfu.Fuzz", description: idl,
            methods: [
                "Typed": { request in
                    let p = try request.decode(Typed.self)
                    if p.caseNo.isEmpty { throw VarlinkError("org.bangfu.Fuzz.Refused", ["message": .string("empty")]) }
                    return try .encoding(["echo": p.caseNo])
                },
                "Stream": { request in
                    struct P: Decodable { var count: Int }
                    let n = max(0, min(try request.decode(P.self).count, 50))
                    return .stream((0..<n).map { ["n": .int(Int64($0))] })
                },
            ])
    ])

final class Done: @unchecked Sendable {
    let semaphore = DispatchSemaphore(value: 0)
}

func serve(_ frame: Data) {
    guard let call = try? VarlinkCall(parsing: frame) else { return }
    let done = Done()
    Task {
        let replies = await service.handle(VarlinkRequest(call: call, peer: PeerCredentials(pid: 1, uid: 0, gid: 0)))
        for r in replies {
            // What the server writes must read back as the same reply.
            let text = r.jsonBytes
            guard let back = try? VarlinkReply(parsing: text), back == r else {
                fatalError("a reply does not survive its own JSON text")
            }
        }
        done.semaphore.signal()
    }
    done.semaphore.wait()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVarlink(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    var start = 0
    while start <= bytes.count {
        switch NULFramer.next(in: bytes[start...], maxBytes: 4096) {
        case .frame(let n):
            serve(Data(bytes[start..<(start + n)]))
            start += n + 1
        case .needMoreData, .tooLarge:
            return 0
        }
    }
    return 0
}
