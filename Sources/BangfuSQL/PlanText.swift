import BangfuCore
import Synchronization

/// Payment plans as stored JSON, both ways, kept by value: every case read decodes one and every
/// transition writes one, and a city's plans are a few hundred distinct amounts.
enum PlanText {
    private static let kept = Mutex<(byText: [String: PaymentPlan], byPlan: [PaymentPlan: String])>(([:], [:]))
    /// Beyond this many distinct plans the cache starts again (bounded memory).
    static let limit = 4096

    static func plan(_ text: String) throws -> PaymentPlan {
        if let p = kept.withLock({ $0.byText[text] }) { return p }
        let p = try StoreSQL.decode(PaymentPlan.self, text)
        remember(p, text)
        return p
    }

    static func text(_ plan: PaymentPlan) throws -> String {
        if let t = kept.withLock({ $0.byPlan[plan] }) { return t }
        let t = try StoreSQL.json(plan)
        remember(plan, t)
        return t
    }

    private static func remember(_ p: PaymentPlan, _ t: String) {
        kept.withLock { k in
            if k.byText.count >= limit { k = ([:], [:]) }
            k.byText[t] = p
            k.byPlan[p] = t
        }
    }
}
