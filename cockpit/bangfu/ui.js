// Small pieces every page uses: elements, tables, the confirmation, dates, yuan and charts.
import { said } from "./varlink.js";
import { english, t } from "./words.js";

export function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
        if (value === undefined || value === null || value === false) continue;
        if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
}

export function table(headers, rows, attributes = {}) {
    return element(
        "table", attributes,
        element("thead", {}, element("tr", {}, ...headers.map((header) => element("th", {}, header)))),
        element("tbody", {}, ...rows));
}

/// A row of plain cells.
export function row(cells, attributes = {}) {
    return element("tr", attributes, ...cells.map((cell) => element("td", {}, cell ?? "")));
}

export function setStatus(text, kind = "") {
    const status = document.getElementById("status");
    status.textContent = text;
    status.className = kind;
}

/// Asks before anything changes, naming what it will change. With `input` (its label), the person
/// must also write something (a decision, a note): the answer is that text, or null when cancelled.
export function confirmed(text, input = null) {
    const dialog = document.getElementById("confirm");
    const box = document.getElementById("confirm-input");
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = t("confirm");
    document.getElementById("confirm-cancel").textContent = t("cancel");
    document.getElementById("confirm-input-label").hidden = !input;
    document.getElementById("confirm-input-name").textContent = input || "";
    box.value = "";
    box.required = !!input;
    return new Promise((resolve) => {
        dialog.addEventListener("close", () => {
            const ok = dialog.returnValue === "ok";
            resolve(input ? (ok ? box.value.trim() : null) : ok);
        }, { once: true });
        dialog.returnValue = "";
        dialog.showModal();
    });
}

/// An instant (2027-02-04T09:00:00+08:00) or a date as people read it: 2027年2月4日 09:00.
export function readable(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(text || "");
    if (!match) return text || "";
    const [, year, month, day, hour, minute] = match;
    const date = english ? `${year}-${month}-${day}` : `${year}年${Number(month)}月${Number(day)}日`;
    return hour ? `${date} ${hour}:${minute}` : date;
}

/// Yuan as people read it: 5,000.00 (amounts travel in integer fen).
export function yuan(fen) {
    return (Number(fen) / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/// Fen from what a person typed in yuan ("5000", "5,000.5"); null when it is not an amount.
export function fenOf(text) {
    const cleaned = String(text).replaceAll(",", "").trim();
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(cleaned)) return null;
    const [whole, fraction = ""] = cleaned.split(".");
    return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/// A labelled input.
export function field(label, input) {
    return element("label", { class: "field" }, element("span", {}, label), input);
}

/// A date input holding `value` (YYYY-MM-DD).
export function dateInput(name, value) {
    return element("input", { type: "date", name, value, "aria-label": name });
}

const palette = ["#2b7a3d", "#b3261e", "#1f5fa8", "#8a6d00", "#6b3fa0", "#00707a", "#7a4b2b"];

/// A horizontal bar chart as inline SVG: one group of bars per row (`rows`: label and values),
/// one colour per series (`series`: names). It scales to the widest bar and reads on a phone.
export function barChart(series, rows, format = (value) => String(value)) {
    const namespace = "http://www.w3.org/2000/svg";
    const svg = (tag, attributes = {}, text = null) => {
        const node = document.createElementNS(namespace, tag);
        for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
        if (text !== null) node.textContent = text;
        return node;
    };
    const barHeight = 16;
    const groupHeight = series.length * barHeight + 24;
    const width = 640;
    const labelWidth = 150;
    const largest = Math.max(1, ...rows.flatMap((line) => line.values.map(Number)));
    const chart = svg("svg", {
        viewBox: `0 0 ${width} ${rows.length * groupHeight + 28}`, class: "chart", role: "img",
        "aria-label": series.join(", "),
    });
    series.forEach((name, index) => {
        chart.append(svg("rect", { x: labelWidth + index * 140, y: 4, width: 12, height: 12, fill: palette[index] }));
        chart.append(svg("text", { x: labelWidth + index * 140 + 16, y: 15, "font-size": 12 }, name));
    });
    rows.forEach((line, rowIndex) => {
        const top = 28 + rowIndex * groupHeight;
        chart.append(svg("text", { x: 0, y: top + 14, "font-size": 13 }, line.label));
        line.values.forEach((value, index) => {
            const length = Math.max(0, (Number(value) / largest) * (width - labelWidth - 110));
            const y = top + index * barHeight;
            chart.append(svg("rect", {
                x: labelWidth, y, width: length, height: barHeight - 3, fill: palette[index % palette.length],
                "data-series": series[index], "data-value": value,
            }));
            chart.append(svg("text", { x: labelWidth + length + 4, y: y + 11, "font-size": 11 }, format(value)));
        });
    });
    return chart;
}

/// Offers bytes to the person as a file to save.
export function offerDownload(bytes, filename, type) {
    const link = element("a", { href: URL.createObjectURL(new Blob([bytes], { type })), download: filename });
    document.body.append(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 60_000);
}

/// A click handler that shows bangfud's refusal instead of failing silently.
export function guarded(action) {
    return async (...values) => {
        try {
            await action(...values);
        } catch (failure) {
            setStatus(said(failure), "refused");
        }
    };
}
