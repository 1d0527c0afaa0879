import BangfuConfig
import BangfuCore
import BangfuVarlink

/// Who a peer is: the unix user and groups of its uid (`SO_PEERCRED`), mapped to roles by the
/// configuration. Nothing the client writes in its parameters is trusted for this.
enum Identity {
    static func actor(for peer: PeerCredentials, config: BangfuConfiguration) -> Actor {
        config.actor(uid: peer.uid)
    }
}
