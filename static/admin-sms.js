// The admin page's SMS section (docs/sms.md): the tenant's SMS provider
// (Aliyun SMS), its keys, signature name and a template per step, and the
// recent messages with their numbers masked. Says plainly when no provider
// is configured: then residents get no SMS. admin.js shows it as a section.
"use strict";

const SMS_STEPS = ["accepted", "dispatched", "resolved", "closed", "rate_invitation"];

I18N.add({
  zh: {
    sms: "短信通知", o_sms_settings: "短信设置",
    sms_off: "未配置短信服务，居民不会收到短信通知",
    sms_on: "短信服务已开启：留了手机号的居民在下列各步收到短信",
    sms_note: "使用阿里云短信服务。签名和模板需先在阿里云短信控制台审核通过；模板中可用变量 {0}（查询码）。某一步的模板留空，则该步不发短信。",
    sms_provider: "短信服务商", sms_aliyun: "阿里云短信", sms_endpoint: "接口地址（留空用阿里云默认）",
    sms_key_id: "AccessKey ID", sms_key_secret: "AccessKey Secret", sms_secret_set: "已设置（留空则不变）", sms_secret_unset: "未设置",
    sms_sign_name: "短信签名", sms_templates: "各步骤的短信模板编号", sms_enabled: "开启短信通知", sms_saved: "短信设置已保存",
    sms_t_accepted: "已受理", sms_t_dispatched: "已分拨", sms_t_resolved: "已办结", sms_t_closed: "已结案", sms_t_rate_invitation: "邀请评价",
    sms_e_not_allowed: "服务地址不被允许：只能是公网地址，请核对服务地址", sms_e_timeout: "服务商未及时应答，将自动重试",
    sms_e_unreachable: "连接不上服务商，将自动重试；请核对服务地址", sms_e_broken: "连接中断（TLS 或 HTTP 出错），将自动重试",
    sms_recent: "最近的短信", sms_none: "还没有短信", sms_case: "查询码", sms_step: "步骤", sms_phone: "手机号",
    sms_state: "状态", sms_attempts: "尝试次数", sms_error: "最近错误",
    sms_s_pending: "待发送", sms_s_delivered: "已发送", sms_s_cancelled: "已取消", sms_s_abandoned: "已放弃",
  },
  en: {
    sms: "SMS notifications", o_sms_settings: "SMS settings",
    sms_off: "No SMS provider is configured: residents get no SMS",
    sms_on: "SMS is on: residents who left a phone get a message at each step below",
    sms_note: "Aliyun SMS (SendSms). The signature and templates must first be approved in Aliyun's SMS console; a template may use {0} (the tracking code). A step whose template is left empty sends nothing.",
    sms_provider: "Provider", sms_aliyun: "Aliyun SMS", sms_endpoint: "API address (empty: Aliyun's own)",
    sms_key_id: "AccessKey ID", sms_key_secret: "AccessKey Secret", sms_secret_set: "Set (leave empty to keep it)", sms_secret_unset: "Not set",
    sms_sign_name: "Signature name", sms_templates: "Template code of each step", sms_enabled: "Send SMS notifications", sms_saved: "SMS settings saved",
    sms_t_accepted: "Accepted", sms_t_dispatched: "Dispatched", sms_t_resolved: "Resolved", sms_t_closed: "Closed", sms_t_rate_invitation: "Asked to rate",
    sms_e_not_allowed: "The endpoint is not allowed (public hosts only): check it", sms_e_timeout: "The provider did not answer in time; retried automatically",
    sms_e_unreachable: "The provider could not be reached; retried automatically — check the endpoint", sms_e_broken: "The connection broke (TLS or HTTP); retried automatically",
    sms_recent: "Recent messages", sms_none: "No message yet", sms_case: "Tracking code", sms_step: "Step", sms_phone: "Phone",
    sms_state: "State", sms_attempts: "Attempts", sms_error: "Last error",
    sms_s_pending: "Pending", sms_s_delivered: "Sent", sms_s_cancelled: "Cancelled", sms_s_abandoned: "Given up",
  },
});

async function drawSms() {
  const [settings, deliveries] = await Promise.all([
    session.call("GET", "/admin/sms"), session.call("GET", "/admin/sms/deliveries?limit=50")]);
  const status = h("p", { id: "sms-status", class: settings.configured ? "ok" : "warn", role: "status" },
    t(settings.configured ? "sms_on" : "sms_off"));
  const field = (key, input) => h("label", {}, h("span", {}, t(key)), input);
  const form = h("form", { id: "sms-form" },
    h("p", { class: "muted" }, ...t("sms_note", "\u0000").split("\u0000").flatMap((part, i) =>
      (i ? [h("code", { translate: "no" }, "${tracking_code}"), part] : [part]))),
    field("sms_provider", h("select", { name: "provider" }, h("option", { value: "aliyun" }, t("sms_aliyun")))),
    field("sms_endpoint", h("input", { type: "url", name: "endpoint", value: settings.endpoint, maxlength: 500 })),
    field("sms_key_id", h("input", { type: "text", name: "access_key_id", value: settings.access_key_id, maxlength: 128, autocomplete: "off" })),
    field("sms_key_secret", h("input", { type: "password", name: "access_key_secret", maxlength: 128, autocomplete: "new-password",
      placeholder: t(settings.access_key_secret_set ? "sms_secret_set" : "sms_secret_unset") })),
    field("sms_sign_name", h("input", { type: "text", name: "sign_name", value: settings.sign_name, maxlength: 30 })),
    h("fieldset", {}, h("legend", {}, t("sms_templates")),
      ...SMS_STEPS.map((step) => field(`sms_t_${step}`,
        h("input", { type: "text", name: `template_${step}`, value: settings.templates[step], maxlength: 128, placeholder: "SMS_123456789" })))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "enabled", checked: settings.enabled }), " ", t("sms_enabled")),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const e = form.elements;
    const body = {
      provider: e.provider.value,
      endpoint: e.endpoint.value.trim(),
      access_key_id: e.access_key_id.value.trim(),
      sign_name: e.sign_name.value.trim(),
      templates: Object.fromEntries(SMS_STEPS.map((step) => [step, e[`template_${step}`].value.trim()])),
      enabled: e.enabled.checked,
    };
    if (e.access_key_secret.value) body.access_key_secret = e.access_key_secret.value;
    try {
      await session.call("PUT", "/admin/sms", { body });
      await drawSms();
      say($("#section-status"), t("sms_saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  /**
   * Why the last attempt failed, in the page's language: the server keeps
   * the kind of a network failure in fixed words (domain::notification's
   * DeliveryFailure), said here with what to do; the provider's own answer
   * (its code and message, Chinese from Aliyun) is shown as it came.
   */
  const deliveryErrorText = (error) => {
    if (!error) return "";
    const kind = { "not allowed": "sms_e_not_allowed", timeout: "sms_e_timeout", unreachable: "sms_e_unreachable", failed: "sms_e_broken" }[error.split(":")[0]];
    return kind ? t(kind) : error;
  };
  const rows = deliveries.items.map((d) => h("tr", {},
    h("td", {}, when(d.created_at)), h("td", {}, d.tracking_code), h("td", {}, t(`sms_t_${d.step}`)),
    h("td", {}, d.phone || "—"), h("td", {}, t(`sms_s_${d.state}`)), h("td", {}, String(d.attempts)),
    h("td", { title: d.last_error || "" }, deliveryErrorText(d.last_error))));
  const table = rows.length
    ? h("div", { class: "table-scroll" }, h("table", { id: "sms-deliveries" },
      h("thead", {}, h("tr", {}, ...["created_at", "sms_case", "sms_step", "sms_phone", "sms_state", "sms_attempts", "sms_error"]
        .map((k) => h("th", {}, t(k))))), h("tbody", {}, ...rows)))
    : h("p", { class: "muted" }, t("sms_none"));
  $("#section-body").replaceChildren(status, form, h("h3", {}, t("sms_recent")), table);
}
