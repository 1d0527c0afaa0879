// 慰问活动: each holiday campaign's progress with a chart, the households left out and why, and
// the visits to record (节日走访), in the person's units.
import { call, listAll, said } from "./varlink.js";
import { t } from "./words.js";
import { names, unitName, word } from "./names.js";
import { barChart, confirmed, element, readable, row, setStatus, table, yuan } from "./ui.js";

async function run(target, campaign, definitions) {
    const named = await names();
    const definition = definitions.find((candidate) => candidate.id === campaign.campaignId);
    const progress = (await call("org.bangfu.Campaigns.Progress", { runId: campaign.id })).progress;
    const leftOut = [
        ...await listAll("org.bangfu.Campaigns.LeftOut", { runId: campaign.id }, "household"),
        ...await listAll("org.bangfu.Campaigns.LeftOut", { runId: campaign.id, outcome: "ineligible" }, "household"),
    ];
    const visits = await listAll("org.bangfu.Campaigns.Visits", { runId: campaign.id }, "visit");
    const section = element("section", { class: "campaign", "data-run": campaign.id },
        element("h2", {}, `${definition ? definition.name : campaign.campaignId} ${readable(campaign.holiday)}` +
            `（${word(named, "campaignState", campaign.state)}）`),
        element("p", {}, `${t("budget")} ¥${yuan(campaign.budget)}，${t("committed")} ¥${yuan(campaign.committed)}`),
        barChart([t("progress")], [
            [t("processed"), progress.processed], [t("planned"), progress.planned], [t("visited"), progress.visited],
            [t("approved"), progress.approved], [t("paid"), progress.paid], [t("leftOut"), progress.leftOut],
            [t("ineligible"), progress.ineligible],
        ].map(([label, value]) => ({ label, values: [value] }))),
        element("h3", {}, `${t("leftOut")}：${leftOut.length}`),
        table([t("ref"), t("name"), t("unit"), t("category"), t("outcome"), t("why")], leftOut.map((household) =>
            row([household.archiveNo, household.name, unitName(named, household.unitId),
                household.category ? word(named, "category", household.category) : "",
                word(named, "campaignOutcome", household.outcome), household.reason],
            { "data-left-out": household.archiveNo }))),
        element("h3", {}, `${t("visits")}：${visits.length}`),
        table([t("ref"), t("unit"), t("dueOn"), t("state"), t("by"), ""], visits.map((visit) => {
            const line = row([visit.archiveNo, unitName(named, visit.unitId), readable(visit.dueOn),
                word(named, "visitStatus", visit.status), visit.visitedBy || visit.visitor || ""],
            { "data-visit": visit.id });
            const controls = element("td", { class: "actions" });
            if (visit.status === "planned") {
                controls.append(element("button", {
                    class: "primary", "data-action": "recordVisit", "data-ref": visit.archiveNo,
                    onclick: async () => {
                        const what = `${t("recordVisit")}：${visit.archiveNo} ${readable(visit.dueOn)}`;
                        const note = await confirmed(`${what}？`, t("visitNote"));
                        if (!note) return;
                        try {
                            await call("org.bangfu.Campaigns.RecordVisit", { visitId: visit.id, note });
                            setStatus(t("done") + what, "ok");
                            await run(section, campaign, definitions);
                        } catch (failure) {
                            setStatus(said(failure), "refused");
                        }
                    },
                }, t("recordVisit")));
            }
            line.append(controls);
            return line;
        })));
    target.replaceWith(section);
}

export async function showCampaigns(page) {
    const [list, definitions] = await Promise.all([
        call("org.bangfu.Campaigns.List"), call("org.bangfu.Campaigns.Definitions"),
    ]);
    if (list.runs.length === 0) {
        page.append(element("p", { class: "empty" }, t("noCampaigns")));
        return;
    }
    for (const campaign of [...list.runs].reverse()) {
        const placeholder = element("section", {}, t("loading"));
        page.append(placeholder);
        await run(placeholder, campaign, definitions.campaigns);
    }
}
