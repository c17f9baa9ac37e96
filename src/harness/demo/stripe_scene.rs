//! Scene 9 of the demo: Stripe as Stripe sends it. A member buys two products through Payment
//! Links — the first with a friend's referral code, which credits the friend — one is refunded
//! (only that one goes), the other is disputed (the mod log hears of it), and a payment arrives
//! that nobody can match (staff find it in `/membership unmatched`).

use anyhow::Context as _;
use serde_json::{json, Value};

use super::{Script, WAIT};
use crate::features::membership::stripe;
use crate::harness::sim::harness::STRIPE_SECRET;
use crate::harness::sim::{ids, SlashCall};

/// A paid Payment Link checkout, as Stripe renders `checkout.session` (payment mode, no
/// Stripe customer: a Payment Link does not create one unless asked to).
fn checkout(session: &str, member: Option<String>, product: &str, amount: i64) -> Value {
    json!({
        "id": session, "object": "checkout.session", "mode": "payment", "status": "complete",
        "payment_status": "paid", "client_reference_id": member,
        "customer": null, "payment_intent": format!("pi_{session}"),
        "metadata": { "product": product }, "amount_total": amount, "currency": "usd",
    })
}

impl Script {
    /// Signs `object` as Stripe would and posts it to the bot's webhook; shows the event.
    async fn stripe(
        &self,
        web: std::net::SocketAddr,
        id: &str,
        kind: &str,
        object: Value,
        note: &str,
    ) -> anyhow::Result<()> {
        let body = serde_json::to_vec(
            &json!({ "id": id, "object": "event", "type": kind, "data": { "object": object } }),
        )?;
        let signature = stripe::sign(&body, STRIPE_SECRET, self.now().timestamp());
        let status = reqwest::Client::new()
            .post(format!("http://{web}/webhooks/stripe"))
            .header("Stripe-Signature", signature)
            .body(body)
            .send()
            .await?
            .status();
        println!("  {:>8} ▸ {kind} {note} → {}", "Stripe", status.as_u16());
        Ok(())
    }

    /// Waits for a mod-log message containing `needle` and shows it.
    async fn mod_log_line(&self, needle: &str) -> anyhow::Result<()> {
        let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self.sim.requests().into_iter().find(|r| {
                r.method == "POST"
                    && r.path.contains(&path)
                    && r.body["content"]
                        .as_str()
                        .is_some_and(|c| c.contains(needle))
            });
            if let Some(found) = found {
                self.indent(
                    "#mod-log",
                    found.body["content"].as_str().unwrap_or_default(),
                );
                return Ok(());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "no mod-log line {needle:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Waits for the role DELETE and shows it.
    async fn role_removed(&self, member: u64, role: u64, why: &str) -> anyhow::Result<()> {
        let path = format!("/members/{member}/roles/{role}");
        self.sim
            .wait_request("DELETE", &path, 1, WAIT)
            .await
            .context("the role was not removed")?;
        self.indent(
            "Discord",
            &format!("<@{member}> lost the role <@&{role}> ({why})"),
        );
        Ok(())
    }
}

pub(super) async fn run(script: &Script, web: std::net::SocketAddr) -> anyhow::Result<()> {
    script.say("── Scene 9 · Stripe as Stripe sends it: a referral credited, two purchases, a refund, a dispute, a payment nobody can match");
    let sam = ids::SAM;
    // Mina shares her referral code; Sam uses it when he buys Pro.
    let code = script
        .sim
        .slash(SlashCall::new(ids::MINA, "refer").subcommand("code"))
        .await?;
    println!("      mina ▸ /refer code");
    script.indent("Lyceum 👁", &code.content);
    let code = code
        .content
        .split('`')
        .nth(1)
        .context("no referral code in the reply")?
        .to_string();
    script
        .command(
            SlashCall::new(sam, "membership")
                .subcommand("buy")
                .string("product", "pro")
                .string("referral", &code),
            &format!("/membership buy product:pro referral:{code}"),
        )
        .await?;
    script
        .stripe(
            web,
            "evt_demo_2",
            "checkout.session.completed",
            checkout(
                "cs_demo_pro",
                Some(format!("{sam}_ref_{code}")),
                "pro",
                2900,
            ),
            "(@sam pays 29.00 USD for Pro through that link)",
        )
        .await?;
    script.role_added(sam, ids::ROLE_PRO).await?;
    script.dm(ids::MINA, &format!("🎉 <@{sam}>")).await?;
    script
        .stripe(
            web,
            "evt_demo_2",
            "checkout.session.completed",
            checkout(
                "cs_demo_pro",
                Some(format!("{sam}_ref_{code}")),
                "pro",
                2900,
            ),
            "(Stripe retries the same event: nothing changes, Mina is credited once)",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::MINA, "refer").subcommand("stats"),
            "/refer stats",
        )
        .await?;
    script
        .stripe(
            web,
            "evt_demo_1",
            "checkout.session.completed",
            checkout("cs_demo_course", Some(sam.to_string()), "rust-course", 9900),
            "(@sam pays 99.00 USD for the Rust course)",
        )
        .await?;
    script.role_added(sam, ids::ROLE_COURSE).await?;

    // The creator refunds the course in the Stripe Dashboard: only the course goes.
    let refund = json!({
        "id": "ch_demo_course", "object": "charge", "amount": 9900, "amount_refunded": 9900,
        "refunded": true, "currency": "usd", "customer": null, "payment_intent": "pi_cs_demo_course",
    });
    script
        .stripe(
            web,
            "evt_demo_3",
            "charge.refunded",
            refund,
            "(the course, refunded in full)",
        )
        .await?;
    script
        .role_removed(sam, ids::ROLE_COURSE, "its payment was refunded")
        .await?;
    script.indent(
        "Discord",
        &format!(
            "<@{sam}> still has <@&{}>: a refund ends only what its payment bought",
            ids::ROLE_PRO
        ),
    );

    let dispute = json!({
        "id": "dp_demo", "object": "dispute", "amount": 2900, "currency": "usd",
        "charge": "ch_demo_pro", "payment_intent": "pi_cs_demo_pro", "reason": "fraudulent",
        "status": "needs_response",
    });
    script
        .stripe(
            web,
            "evt_demo_4",
            "charge.dispute.created",
            dispute,
            "(@sam's bank disputes the Pro payment)",
        )
        .await?;
    script.mod_log_line("Dispute opened").await?;

    script
        .stripe(
            web,
            "evt_demo_5",
            "checkout.session.completed",
            checkout("cs_demo_orphan", None, "pro", 2900),
            "(a Payment Link opened without /membership buy: no member)",
        )
        .await?;
    script.mod_log_line("could not match").await?;
    script
        .command(
            SlashCall::new(ids::OWNER, "membership").subcommand("unmatched"),
            "/membership unmatched",
        )
        .await?;
    println!();
    Ok(())
}
