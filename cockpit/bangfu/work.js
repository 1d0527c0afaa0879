// 我的待办: per role, what waits for the person (org.bangfu.Work.Mine), each item with the step it needs.
import { call, said } from "./varlink.js";
import { english, t } from "./words.js";
import { confirmed, element, readable, setStatus, table } from "./ui.js";

const contactKinds = ["phone", "visit", "other"];

/// The steps a queue's items take, by queue kind. `choice` is what the person picks first (a fund,
/// how they made contact); `input` what they must write (a decision, a note).
const actions = {
    to_review: [{ label: "pass", run: (item) => call("org.bangfu.Cases.PassReview", { caseNo: item.ref }) }],
    to_approve: [{ label: "approve", run: (item) => call("org.bangfu.Cases.Approve", { caseNo: item.ref }) }],
    objections: [
        {
            label: "dismiss", input: "decision",
            run: (item, _choice, decision) => call("org.bangfu.Cases.DismissObjection", { caseNo: item.ref, decision }),
        },
        {
            label: "uphold", input: "decision",
            run: (item, _choice, decision) => call("org.bangfu.Cases.UpholdObjection", { caseNo: item.ref, decision }),
        },
    ],
    transfers: [{
        label: "confirmTransfer",
        run: (item) => call("org.bangfu.Funds.ConfirmTransfer", { id: Number(item.ref) }),
    }],
    to_pay: [{
        label: "pay", choice: "fund",
        run: async (item, fundId) => {
            const found = await call("org.bangfu.Cases.Get", { caseNo: item.ref });
            return call("org.bangfu.Cases.Pay", {
                caseNo: item.ref, instalment: found.case.instalmentsPaid + 1, fundId,
            });
        },
    }],
    visits_due: [{
        label: "recordVisit", input: "visitNote",
        run: (item, _choice, note) => call("org.bangfu.Care.RecordVisit", { visitId: item.visitId, note }),
    }],
    contacts_due: [{
        label: "contact", choice: "contactKind",
        run: (item, kind) => call("org.bangfu.Care.RecordContact", { archiveNo: item.ref, kind }),
    }],
};

/// The list to choose from before a step, when it has one.
function chooser(action, funds) {
    if (action.choice === "fund") {
        return element("select", { "aria-label": t("fund"), "data-choice": "fund" },
            ...funds.map((account) => element("option", { value: account.id }, account.name)));
    }
    if (action.choice === "contactKind") {
        return element("select", { "aria-label": t("contactKind"), "data-choice": "kind" },
            ...contactKinds.map((kind) => element("option", { value: kind }, t(kind))));
    }
    return null;
}

function stepButton(kind, item, action, choice) {
    return element("button", {
        class: "primary", "data-action": action.label, "data-queue": kind, "data-ref": item.ref,
        onclick: async () => {
            const picked = choice ? choice.selectedOptions[0]?.textContent || "" : "";
            const what = `${t(action.label)}：${item.ref} ${item.label}` + (choice ? `（${t(action.choice)} ${picked}）` : "");
            const answer = await confirmed(`${what}？`, action.input ? t(action.input) : null);
            if (!answer) return;
            try {
                await action.run(item, choice && choice.value, answer);
                setStatus(t("done") + what, "ok");
                document.dispatchEvent(new CustomEvent("bangfu:show", { detail: "work" }));
            } catch (failure) {
                setStatus(said(failure), "refused");
            }
        },
    }, t(action.label));
}

/// `mine`: the reply when the caller already has it (the console's start asks once for both the
/// tabs and this page).
export async function showWork(page, mine = null) {
    mine = mine || await call("org.bangfu.Work.Mine");
    const roles = mine.roles.filter((role) => role.queues.length > 0);
    if (roles.length === 0) {
        page.append(element("p", { class: "empty" }, t("nothing")));
        return;
    }
    const paying = roles.some((role) => role.queues.some((queue) => queue.kind === "to_pay"));
    const funds = paying ? (await call("org.bangfu.Funds.List")).funds : [];
    for (const role of roles) {
        const section = element("section", { class: "role", "data-role": role.role },
            element("h2", {}, english ? role.role : role.roleName));
        for (const queue of role.queues) {
            const count = `${queue.count}${queue.more ? "+" : ""}`;
            section.append(element("h3", { "data-queue": queue.kind },
                `${english ? queue.kind.replaceAll("_", " ") : queue.title}：${count}`));
            const steps = actions[queue.kind] || [];
            const rows = queue.items.map((item) => {
                const cells = [item.ref, item.label, item.unit, readable(item.since)].map((text) => element("td", {}, text));
                if (steps.length > 0) {
                    const controls = element("td", { class: "actions" });
                    for (const action of steps) {
                        const choice = chooser(action, funds);
                        if (choice) controls.append(choice);
                        controls.append(stepButton(queue.kind, item, action, choice));
                    }
                    cells.push(controls);
                }
                return element("tr", { "data-ref": item.ref }, ...cells);
            });
            const headers = [t("ref"), t("item"), t("unit"), t("since")];
            if (steps.length > 0) headers.push("");
            section.append(table(headers, rows));
        }
        page.append(section);
    }
}
