// 申请: find the household, fill the help type's own form (the fields its plugin declares), see
// the assessment, then submit for review after a confirmation naming household and amount.
import { call, said } from "./varlink.js";
import { english, t } from "./words.js";
import { householdSearch } from "./households.js";
import { confirmed, element, fenOf, setStatus, yuan } from "./ui.js";

/// One input per declared field: amounts in yuan (sent in fen), choices as a list in the
/// plugin's own words when it gives them.
function fieldInput(declared) {
    const label = english ? declared.labelEn : declared.labelZh;
    const attributes = { name: declared.key, "data-type": declared.type, "aria-label": label };
    if (declared.required) attributes.required = true;
    let input;
    if (declared.type === "choice") {
        const words = (english ? declared.optionsEn : declared.optionsZh) || [];
        input = element("select", attributes, element("option", { value: "" }, ""),
            ...(declared.options || []).map((option, index) =>
                element("option", { value: option }, words[index] || option)));
    } else if (declared.type === "bool") {
        input = element("input", { ...attributes, type: "checkbox" });
    } else if (declared.type === "money") {
        input = element("input", { ...attributes, inputmode: "decimal", pattern: "\\d+(\\.\\d{1,2})?" });
    } else {
        const type = { integer: "number", date: "date" }[declared.type] || "text";
        input = element("input", { ...attributes, type });
    }
    return element("label", { class: "field" }, element("span", {}, label + (declared.required ? " *" : "")), input);
}

/// The form's values as the help type takes them (money fields in fen).
function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll("[name]")) {
        if (input.dataset.type === "bool") values[input.name] = input.checked;
        else if (input.value === "") continue;
        else if (input.dataset.type === "money") values[input.name] = fenOf(input.value);
        else if (input.dataset.type === "integer") values[input.name] = Number(input.value);
        else values[input.name] = input.value;
    }
    return values;
}

async function applicationForm(form, archive) {
    const plugins = (await call("org.bangfu.Admin.Plugins")).loaded;
    const nameOf = (plugin) => (english ? plugin.nameEn : plugin.nameZh);
    const helpType = element("select", { name: "helpType", id: "apply-help-type", "aria-label": t("helpType") },
        ...plugins.map((plugin) => element("option", { value: plugin.id }, nameOf(plugin))));
    const fields = element("div", { class: "fields" });
    const outcome = element("div", { id: "apply-outcome" });
    const chosenPlugin = () => plugins.find((candidate) => candidate.id === helpType.value);
    const showFields = () => {
        fields.replaceChildren(...(chosenPlugin() ? chosenPlugin().fields.map(fieldInput) : []));
        outcome.replaceChildren();
    };
    helpType.addEventListener("change", showFields);
    const submitButton = (caseNo, amount) => element("button", {
        type: "button", id: "apply-submit", class: "primary",
        onclick: async () => {
            const what = `${t("submit")}：${caseNo} ${archive.name} ${nameOf(chosenPlugin())} ${amount}`;
            if (!(await confirmed(`${what}？`))) return;
            try {
                await call("org.bangfu.Cases.Submit", { caseNo });
                setStatus(t("done") + what, "ok");
                outcome.replaceChildren();
            } catch (failure) {
                setStatus(said(failure), "refused");
            }
        },
    }, t("submit"));
    const assess = async () => {
        if (!form.reportValidity()) return;
        try {
            // Filed as a draft, then assessed by the help type: nothing goes to review yet.
            const filed = await call("org.bangfu.Cases.File", {
                archiveNo: archive.archiveNo, helpType: helpType.value, form: formValues(fields),
            });
            const caseNo = filed.case.caseNo;
            const assessed = await call("org.bangfu.Cases.Assess", { caseNo });
            const reasons = assessed.reasons.map((reason) => (english ? reason.en : reason.zh)).join("；");
            const amount = assessed.plan ? `${yuan(assessed.plan.total)} ${t("yuan")}` : "";
            outcome.replaceChildren(element("p", { class: assessed.eligible ? "ok" : "refused" },
                `${caseNo} ${assessed.eligible ? t("eligible") + amount : t("notEligible")} ${reasons}`));
            if (assessed.eligible) outcome.append(submitButton(caseNo, amount));
        } catch (failure) {
            setStatus(said(failure), "refused");
        }
    };
    form.replaceChildren(
        element("h2", {}, `${archive.name}（${archive.archiveNo}）`),
        element("label", { class: "field" }, element("span", {}, t("helpType")), helpType), fields,
        element("button", { type: "button", id: "apply-assess", class: "primary", onclick: assess }, t("assess")),
        outcome);
    showFields();
}

export async function showApply(page) {
    const form = element("form", { id: "apply-form" });
    householdSearch(page, t("choose"), (archive) => applicationForm(form, archive));
    page.append(form);
}
