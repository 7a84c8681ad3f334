//! The sweep's SMS: each due message of the outbox is signed with the
//! tenant's settings of this moment and posted to its provider; the
//! provider's answer decides whether it is delivered, tried again after the
//! backoff, or given up (`domain::sms`). The phone number goes into the
//! provider's request and nowhere else: not in a log, not in the answer.

use std::time::Instant;

use chrono::Utc;
use domain::Problem;
use domain::sms::aliyun::{self, SendSms};
use domain::sms::{Provider, template_param};
use edge::Ctx;

use crate::queues::{DELIVERIES_PER_SWEEP, DELIVERY_TIME_LIMIT, has_time_for_another};

/// Sends the due messages while the sweep has time (`started`: when it
/// began delivering). Returns (delivered, failed).
pub fn deliver(ctx: &mut Ctx, started: Instant) -> Result<(usize, usize), Problem> {
    let tenant = ctx.tenant()?.code.as_str().to_string();
    let scope = ctx.scope()?;
    let due = scope.due_sms(Utc::now(), DELIVERIES_PER_SWEEP)?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    // Due messages exist only while SMS is on, so the settings are there.
    let Some(settings) = scope.sms_settings()? else {
        return Ok((0, 0));
    };
    let (mut delivered, mut failed) = (0, 0);
    for message in due {
        if !has_time_for_another(started) {
            break;
        }
        let nonce = hex(&edge::random_bytes::<16>()?);
        let param = template_param(&message.tracking_code);
        let out_id = format!("{tenant}-sms-{}", message.id);
        let body = match settings.provider() {
            Provider::Aliyun => aliyun::send_sms_body(
                &SendSms {
                    access_key_id: settings.access_key_id(),
                    access_key_secret: settings.access_key_secret(),
                    phone: &message.phone,
                    sign_name: settings.sign_name(),
                    template_code: &message.template_code,
                    template_param: &param,
                    out_id: &out_id,
                },
                Utc::now(),
                &nonce,
            ),
        };
        let (status, answer) =
            match edge::outbound::post_form(settings.endpoint(), body, DELIVERY_TIME_LIMIT) {
                Ok((status, bytes)) => (Some(status), Ok(aliyun::read_answer(status, &bytes))),
                Err(why) => (None, Err(why)),
            };
        let recorded = scope.record_sms_attempt(message.id, status, &answer, Utc::now())?;
        if recorded.delivered_at.is_some() {
            delivered += 1;
        } else {
            failed += 1;
        }
    }
    Ok((delivered, failed))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
