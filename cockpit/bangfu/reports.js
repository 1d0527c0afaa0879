// 报表: the report forms and printable documents, made as the person by `bangfuctl`, which has
// `bangfu-render` set them (PDF, XLSX, HTML) or writes CSV itself: Cockpit spawns it as the person
// logged in, so bangfud answers exactly what their grants allow, and nothing new runs as root.
/* global cockpit */
import { call } from "./varlink.js";
import { english, t } from "./words.js";
import { dateInput, element, field, offerDownload, setStatus } from "./ui.js";

/// Where bangfuctl is: the package manifest's "bangfu" key (scripts/install.sh writes the
/// installed path; /etc/cockpit/bangfu.override.json can change it), else PATH.
let program = null;
function bangfuctl() {
    program = program || fetch("../manifests.json").then((reply) => reply.json())
        .then((manifests) => (manifests.bangfu && manifests.bangfu.bangfu && manifests.bangfu.bangfu.bangfuctl) || "bangfuctl")
        .catch(() => "bangfuctl");
    return program;
}

const types = {
    pdf: "application/pdf",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    html: "text/html",
    csv: "text/csv",
};

/// The documents, each as the bangfuctl arguments that make it from the form's values.
const documents = {
    reportForm: { uses: ["period"], args: (values) => ["report", "figures", "--period", values.period] },
    noticeDoc: { uses: [], args: () => ["notice", "export"] },
    pastNoticeDoc: { uses: ["from", "to"], args: (values) => ["notice", "export", "--from", values.from, "--to", values.to] },
    sheetDoc: { uses: ["from", "to"], args: (values) => ["fund", "sheet", "--from", values.from, "--to", values.to] },
    accountsDoc: { uses: ["from", "to"], args: (values) => ["fund", "statement", "--from", values.from, "--to", values.to] },
};

export async function showReports(page) {
    const now = (await call("org.bangfu.Admin.Status")).now.slice(0, 10);
    const kind = element("select", { id: "report-kind", "aria-label": t("document") },
        ...Object.keys(documents).map((key) => element("option", { value: key }, t(key))));
    const format = element("select", { id: "report-format", "aria-label": t("format") },
        ...Object.keys(types).map((key) => element("option", { value: key }, key.toUpperCase())));
    const inputs = {
        period: element("input", { id: "report-period", name: "period", value: now.slice(0, 7), "aria-label": t("reportPeriod") }),
        from: dateInput("from", `${now.slice(0, 8)}01`),
        to: dateInput("to", now),
    };
    const labelled = {
        period: field(t("reportPeriod"), inputs.period), from: field(t("from"), inputs.from), to: field(t("to"), inputs.to),
    };
    const showInputs = () => {
        for (const [name, label] of Object.entries(labelled)) label.hidden = !documents[kind.value].uses.includes(name);
    };
    kind.addEventListener("change", showInputs);
    const download = element("button", {
        id: "report-download", class: "primary",
        onclick: async () => {
            const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
            const args = [...documents[kind.value].args(values), "--format", format.value];
            setStatus(t("making"));
            download.disabled = true;
            try {
                const program = await bangfuctl();
                const bytes = await cockpit.spawn([program, ...args], {
                    binary: true, err: "message",
                    environ: [english ? "LANG=en_US.UTF-8" : "LANG=zh_CN.UTF-8"],
                });
                const stamp = documents[kind.value].uses.map((name) => values[name]).join("_") || now;
                const filename = `${t(kind.value).replace(/（.*）|\s*\(.*\)/, "")}-${stamp}.${format.value}`;
                offerDownload(bytes, filename, types[format.value]);
                setStatus(`${t("saved")}${filename}（${bytes.length.toLocaleString("en")} B）`, "ok");
            } catch (failure) {
                setStatus(failure.message || String(failure), "refused");
            } finally {
                download.disabled = false;
            }
        },
    }, t("download"));
    page.append(element("div", { class: "report-form" },
        field(t("document"), kind), labelled.period, labelled.from, labelled.to, field(t("format"), format), download));
    showInputs();
}
