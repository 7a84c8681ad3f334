// The resident portal: report a problem, look a case up. No framework: the
// page must load fast on a cheap phone.
"use strict";

const texts = {
  en: {
    title: "Smart Grid · Residents' appeals", report: "Report a problem", tenant: "Township code",
    category: "Category", description: "What is wrong?", submit: "Submit", lookup: "Track a case",
    code: "Tracking code", search: "Search", cat_road: "Road damage", cat_light: "Street light",
    cat_garbage: "Garbage collection", cat_other: "Other",
    received: "Received. Keep this tracking code:", state: "State", reported_at: "Reported",
  },
  zh: {
    received: "已受理，请记下查询码：", state: "状态", reported_at: "反映时间",
  },
};
let lang = "zh";
const original = new Map();
document.querySelectorAll("[data-i18n]").forEach((el) => original.set(el, el.textContent));

function t(key) {
  return (texts[lang] && texts[lang][key]) || texts.zh[key] || key;
}

document.getElementById("lang").addEventListener("click", (event) => {
  lang = lang === "zh" ? "en" : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  event.target.textContent = lang === "zh" ? "English" : "中文";
  document.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = lang === "en" ? texts.en[el.dataset.i18n] : original.get(el);
  });
});

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || data.title || response.statusText);
  return data;
}

function show(el, build) {
  el.replaceChildren();
  build(el);
}

document.getElementById("report-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const out = document.getElementById("report-result");
  try {
    const receipt = await call("POST", `/api/t/${encodeURIComponent(form.get("tenant"))}/reports`, {
      category: form.get("category"),
      description: form.get("description"),
    });
    show(out, (el) => {
      el.append(t("received"), " ");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = receipt.tracking_code;
      el.append(code);
    });
    document.querySelector("#lookup-form [name=code]").value = receipt.tracking_code;
  } catch (error) {
    show(out, (el) => { el.className = "error"; el.textContent = error.message; });
  }
});

document.getElementById("lookup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const out = document.getElementById("lookup-result");
  try {
    const tenant = encodeURIComponent(form.get("tenant"));
    const code = encodeURIComponent(form.get("code").trim());
    const found = await call("GET", `/api/t/${tenant}/status/${code}`);
    show(out, (el) => {
      el.className = "";
      const list = document.createElement("dl");
      for (const [label, value] of [
        [t("state"), `${found.state_label} (${found.state})`],
        [t("reported_at"), new Date(found.reported_at).toLocaleString()],
      ]) {
        const dt = document.createElement("dt");
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.textContent = value;
        list.append(dt, dd);
      }
      el.append(list);
    });
  } catch (error) {
    show(out, (el) => { el.className = "error"; el.textContent = error.message; });
  }
});
