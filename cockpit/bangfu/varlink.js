// Varlink to bangfud over a Cockpit stream channel on its socket. Cockpit runs the bridge as the
// person who logged in, so bangfud sees their own uid (SO_PEERCRED) and decides, exactly as for
// bangfuctl, what they may see and do.
/* global cockpit */
import { english, t } from "./words.js";

const SOCKET = "/run/bangfu/control.sock";

/// One varlink call; with `more`, every reply (a listing streams one item per reply).
export function call(method, parameters = {}, more = false) {
    return new Promise((resolve, reject) => {
        // Binary, so the NUL that ends each varlink message passes through untouched.
        const channel = cockpit.channel({ payload: "stream", unix: SOCKET, binary: true });
        const decoder = new TextDecoder();
        let buffer = "";
        const replies = [];
        let settled = false;
        const finish = (ok, value) => {
            if (settled) return;
            settled = true;
            channel.close();
            if (ok) resolve(value);
            else reject(value);
        };
        channel.addEventListener("message", (_event, data) => {
            buffer += decoder.decode(data, { stream: true });
            let end;
            while ((end = buffer.indexOf("\0")) >= 0) {
                const reply = JSON.parse(buffer.slice(0, end));
                buffer = buffer.slice(end + 1);
                if (reply.error) return finish(false, reply);
                replies.push(reply.parameters || {});
                if (!reply.continues) return finish(true, more ? replies : replies[0]);
            }
        });
        channel.addEventListener("close", (_event, options) => {
            finish(false, { error: "unreachable", parameters: { problem: options && options.problem } });
        });
        const message = { method, parameters };
        if (more) message.more = true;
        channel.send(new TextEncoder().encode(JSON.stringify(message) + "\0"));
    });
}

/// Every item of a paged listing (`key` names the item in each reply), following `next`, at most `limit`.
export async function listAll(method, parameters, key, limit = 1000) {
    const items = [];
    let after = null;
    do {
        const replies = await call(method, { ...parameters, ...(after ? { after } : {}) }, true);
        items.push(...replies.filter((reply) => reply[key]).map((reply) => reply[key]));
        after = replies.length > 0 ? replies[replies.length - 1].next : null;
    } while (after && items.length < limit);
    return items;
}

/// What bangfud said, in the person's language (its refusals name the role and unit needed).
export function said(failure) {
    const parameters = (failure && failure.parameters) || {};
    if (failure && failure.error === "unreachable") {
        return `${t("unreachable")} (${parameters.problem || "closed"})`;
    }
    if (!failure || !failure.error) return String(failure && failure.message ? failure.message : failure);
    return (english ? parameters.messageEn : parameters.message) || parameters.message || failure.error;
}
