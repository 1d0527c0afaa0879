// What people read instead of ids and codes, from bangfud's Admin.Names (units, help types, and
// the words for states, causes and the other codes: the same list bangfuctl prints from).
import { call } from "./varlink.js";
import { english } from "./words.js";

let loaded = null;

/// The names, asked once per page load.
export async function names() {
    if (!loaded) {
        loaded = call("org.bangfu.Admin.Names").then((reply) => {
            const byKind = new Map();
            for (const word of reply.words || []) byKind.set(`${word.kind}:${word.code}`, word);
            return { ...reply, byKind };
        });
        loaded.catch(() => { loaded = null; });
    }
    return loaded;
}

/// A code in words (`caseState`, `in_notice` is 公示中); the code itself when bangfud has no word for it.
export function word(named, kind, code) {
    const found = named.byKind.get(`${kind}:${code}`);
    return found ? (english ? found.en : found.zh) : code;
}

/// The codes of a kind with their words, for a list to choose from.
export function choices(named, kind) {
    return (named.words || []).filter((entry) => entry.kind === kind)
        .map((entry) => ({ code: entry.code, text: english ? entry.en : entry.zh }));
}

export function unitName(named, id) {
    return (named.units.find((unit) => unit.id === id) || {}).nameZh || id;
}

export function helpName(named, id) {
    const found = named.helpTypes.find((helpType) => helpType.id === id);
    return found ? (english ? found.nameEn : found.nameZh) : id;
}
