import BangfuConfig
import BangfuCore
import BangfuVarlink
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Who a peer is: the unix user and groups of its uid, mapped to roles by the configuration.
/// Nothing the client writes in its parameters is trusted for this.
enum Identity {
    static func actor(for peer: PeerCredentials, config: BangfuConfiguration) -> Actor {
        guard let (name, groups) = account(uid: peer.uid) else {
            // A uid without an account can still be granted roles as `uid:N`.
            return config.actor(user: "uid:\(peer.uid)", groups: [], isRoot: peer.uid == 0)
        }
        return config.actor(user: name, groups: groups, isRoot: peer.uid == 0)
    }

    /// How long an account lookup is kept: the user database is read (files, NSS) at most this often
    /// per uid, not on every call; a changed group membership takes effect within this time.
    static let accountLifetime: Double = 10

    private static let accounts = Mutex<[UInt32: (account: (String, [String])?, until: Double)]>([:])

    /// The user name and group names of a uid, nil when it has no account.
    static func account(uid: UInt32) -> (String, [String])? {
        let now = Date().timeIntervalSinceReferenceDate
        if let kept = accounts.withLock({ $0[uid] }), kept.until > now { return kept.account }
        let found = user(uid: uid).map { name, gid in (name, groups(user: name, gid: gid)) }
        accounts.withLock { $0[uid] = (found, now + accountLifetime) }
        return found
    }

    static func user(uid: UInt32) -> (String, UInt32)? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &pwd, &buf, buf.count, &result) == 0, result != nil, let n = pwd.pw_name else {
            return nil
        }
        return (String(cString: n), pwd.pw_gid)
    }

    static func groups(user: String, gid: UInt32) -> [String] {
        var count: Int32 = 64
        var ids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &ids, &count) < 0 {
            ids = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, gid, &ids, &count)
        }
        return ids.prefix(Int(max(count, 0))).compactMap { g in
            var grp = group()
            var result: UnsafeMutablePointer<group>?
            var buf = [CChar](repeating: 0, count: 16384)
            guard getgrgid_r(g, &grp, &buf, buf.count, &result) == 0, result != nil, let n = grp.gr_name else {
                return nil
            }
            return String(cString: n)
        }
    }
}
