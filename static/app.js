// The resident portal: report a problem, look a case up. No framework: the
// page must load fast on a cheap phone.
"use strict";

const texts = {
  en: {
    title: "Smart Grid · Residents' appeals", report: "Report a problem", tenant: "Township code",
    category: "Category", description: "What is wrong?", submit: "Submit", lookup: "Track a case",
    code: "Tracking code", search: "Search", photo: "Photo (optional)",
    received: "Received. Keep this tracking code:", secret: "and this secret, to add to your report later:",
    state: "State", reported_at: "Reported", duplicate: "A similar problem was reported nearby:",
  },
  zh: {
    received: "已受理，请记下查询码：", secret: "以及补充材料用的密钥：", state: "状态",
    reported_at: "反映时间", duplicate: "附近已有类似问题：",
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
  loadCategories();
});

// The category picker shows the tenant's own catalogue.
async function loadCategories() {
  const tenant = document.querySelector("#report-form [name=tenant]").value;
  const select = document.querySelector("#report-form [name=category]");
  try {
    const { items } = await call("GET", `/api/t/${encodeURIComponent(tenant)}/admin/categories`);
    select.replaceChildren(...items.filter((c) => !c.retired).map((c) => {
      const option = document.createElement("option");
      option.value = c.code;
      option.textContent = lang === "en" ? c.name_en : c.name_zh;
      return option;
    }));
  } catch (error) {
    select.replaceChildren();
  }
}
document.querySelector("#report-form [name=tenant]").addEventListener("change", loadCategories);
loadCategories();

async function call(method, path, body) {
  const isForm = body instanceof FormData;
  const response = await fetch(path, {
    method,
    headers: body && !isForm ? { "content-type": "application/json" } : {},
    body: isForm ? body : body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.detail || data.title || response.statusText);
    error.problem = data;
    throw error;
  }
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
    // One request: the report's JSON and the photo, multipart.
    const body = new FormData();
    body.append("report", JSON.stringify({
      category: form.get("category"),
      description: form.get("description"),
      insist: event.target.dataset.insist === "true",
    }));
    const photo = form.get("photo");
    if (photo && photo.size > 0) body.append("files", photo, photo.name);
    const receipt = await call("POST", `/api/t/${encodeURIComponent(form.get("tenant"))}/reports`, body);
    event.target.dataset.insist = "false";
    show(out, (el) => {
      el.className = "";
      el.append(t("received"), " ");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = receipt.tracking_code;
      el.append(code);
      if (receipt.reporter_secret) {
        el.append(" ", t("secret"), " ");
        const secret = document.createElement("code");
        secret.textContent = receipt.reporter_secret;
        el.append(secret);
      }
    });
    document.querySelector("#lookup-form [name=code]").value = receipt.tracking_code;
  } catch (error) {
    const duplicates = error.problem && error.problem.duplicates;
    show(out, (el) => {
      el.className = "error";
      if (duplicates && duplicates.length) {
        // Offer the existing case; submitting again creates a new one.
        el.textContent = `${t("duplicate")} ${duplicates.map((d) => d.tracking_code).join(", ")}`;
        event.target.dataset.insist = "true";
      } else {
        el.textContent = error.message;
      }
    });
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
