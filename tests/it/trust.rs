//! Trust: paid access converges to what the grants say, whatever Discord refused or answered
//! late, and whatever staff retried.

use lyceum::clock::Clock;
use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::{ids, Fault, SlashCall};
use lyceum::outbox::Effect;
use serenity::all::{GuildId, RoleId, UserId};

use crate::membership::{has_role, membership, products};
use crate::support::{
    enqueue_effects, eventually, eventually_sync, eventually_within, newest_outbox_id, settled,
    TestApp, WAIT,
};

fn role_path(user: u64, role: u64) -> String {
    format!("/guilds/{}/members/{user}/roles/{role}", ids::GUILD)
}

fn grant_pro(member: u64) -> SlashCall {
    membership(ids::OWNER, "grant")
        .user_option("member", member)
        .string("product", "pro")
}

fn revoke_pro(member: u64) -> SlashCall {
    membership(ids::OWNER, "revoke")
        .user_option("member", member)
        .string("product", "pro")
        .string("reason", "refunded by hand")
}

fn mod_log_lines(app: &TestApp, needle: &str) -> usize {
    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    app.requests("POST", &path)
        .iter()
        .filter(|r| {
            r.status < 300
                && r.body["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(needle))
        })
        .count()
}

/// Confirmed defect: `/admin retry` after a revoke replayed the failed add and gave the revoked
/// member the paid role back.
#[tokio::test]
async fn admin_retry_after_a_revoke_never_restores_the_paid_role() {
    let mut app = TestApp::spawn_with(&products()).await;
    let path = role_path(ids::MINA, ids::ROLE_PRO);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::Status(403)]);
    app.slash(grant_pro(ids::MINA)).await;
    let add = settled(&app, newest_outbox_id(&app, "add_role").await).await;
    assert_eq!(add.status, "failed", "{add:?}");

    app.slash(revoke_pro(ids::MINA)).await;
    let remove = settled(&app, newest_outbox_id(&app, "remove_role").await).await;
    assert_eq!(remove.status, "delivered", "{remove:?}");

    let retried = app.slash(admin::retry(ids::OWNER)).await;
    assert!(retried.content.contains('1'), "{}", retried.content);
    let add = settled(&app, newest_outbox_id(&app, "add_role").await).await;
    assert_eq!(add.status, "skipped", "{add:?}");
    assert!(
        add.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("obsolete"),
        "the outbox history says why: {add:?}"
    );
    assert_eq!(
        app.requests("PUT", &path).len(),
        1,
        "no second add was sent"
    );
    assert!(!has_role(&app, ids::MINA, ids::ROLE_PRO));
    app.stop().await;
}

/// A renewal that lands while an expiry's removal is still queued keeps the role: the stale
/// removal is dropped at delivery.
#[tokio::test]
async fn a_stale_removal_never_undoes_a_renewal() {
    let mut app = TestApp::spawn_with(&products()).await;
    app.slash(grant_pro(ids::KAI)).await;
    eventually_sync("the Pro role", || has_role(&app, ids::KAI, ids::ROLE_PRO)).await;
    // A removal queued from an older view of the grants (an expiry or reconcile pass that read
    // before the renewal committed).
    let remove = Effect::RemoveRole {
        guild_id: GuildId::new(ids::GUILD),
        user_id: UserId::new(ids::KAI),
        role_id: RoleId::new(ids::ROLE_PRO),
        reason: "Lyceum: pro ended".into(),
    };
    let id = enqueue_effects(&app, &[remove]).await[0];
    let row = settled(&app, id).await;
    assert_eq!(row.status, "skipped", "{row:?}");
    assert!(app
        .requests("DELETE", &role_path(ids::KAI, ids::ROLE_PRO))
        .is_empty());
    assert!(has_role(&app, ids::KAI, ids::ROLE_PRO));
    app.stop().await;
}

/// Confirmed defect: a removal refused once with 403 was failed for good and the member kept
/// the paid role. Now it stays pending, is retried with backoff, the mod log hears of it once
/// (member, role, Discord's reason), and `/healthz` counts it until it goes through.
#[tokio::test]
async fn a_refused_removal_is_retried_reported_once_and_counted_until_it_lands() {
    let mut app = TestApp::spawn_with(&products()).await;
    app.slash(grant_pro(ids::SAM)).await;
    eventually_sync("the Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    let path = role_path(ids::SAM, ids::ROLE_PRO);
    // Refused three times, then the cause is fixed (a plain 403 never pauses the queue).
    app.sim()
        .inject_faults("DELETE", &path, vec![Fault::Status(403); 3]);
    app.slash(revoke_pro(ids::SAM)).await;

    let (_, health) = app
        .healthz_when("the refusal counted", |_, body| {
            body["roles_out_of_sync"] == 1
        })
        .await;
    assert_eq!(health["outbox_failed"], 0, "{health}");
    let outbox = app.slash(admin::outbox(ids::OWNER)).await;
    assert!(outbox.content.contains("remove"), "{}", outbox.content);

    app.sim()
        .wait_request("DELETE", &path, 4, WAIT)
        .await
        .expect("retried until Discord accepts");
    eventually_sync("the Pro role removed", || {
        !has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    app.healthz_when("back in sync", |_, body| body["roles_out_of_sync"] == 0)
        .await;
    let member = format!("<@{}>", ids::SAM);
    let role = format!("<@&{}>", ids::ROLE_PRO);
    eventually("one mod-log line", async || {
        mod_log_lines(&app, "refused to remove") == 1
    })
    .await;
    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    let line = app
        .requests("POST", &path)
        .into_iter()
        .find_map(|r| {
            r.body["content"]
                .as_str()
                .filter(|c| c.contains("refused to remove"))
                .map(str::to_string)
        })
        .unwrap();
    assert!(
        line.contains(&member) && line.contains(&role) && line.contains("403"),
        "{line}"
    );
    app.stop().await;
}

/// A removal Discord keeps refusing holds back neither the same member's other role changes
/// (only changes to one role are ordered) nor the community: its own retries are one failing
/// item, not a run of Missing Permissions that pauses every delivery.
#[tokio::test]
async fn a_refused_removal_holds_back_neither_the_members_other_roles_nor_the_community() {
    let mut app = TestApp::spawn_with(&products()).await;
    app.slash(grant_pro(ids::SAM)).await;
    eventually_sync("the Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    let path = role_path(ids::SAM, ids::ROLE_PRO);
    app.sim()
        .inject_faults("DELETE", &path, vec![Fault::MissingPermissions; 30]);
    app.slash(revoke_pro(ids::SAM)).await;
    app.sim()
        .wait_request("DELETE", &path, 1, WAIT)
        .await
        .expect("the first refusal");
    // The same member is given a course meanwhile: its role does not wait behind the removal.
    app.slash(
        membership(ids::OWNER, "grant")
            .user_option("member", ids::SAM)
            .string("product", "rust-course"),
    )
    .await;
    eventually_sync("the course role, while the removal still retries", || {
        has_role(&app, ids::SAM, ids::ROLE_REGULAR)
    })
    .await;
    assert!(app.sim().faults_left() > 0, "the removal is still refused");
    // Six refusals of that one item: no pause, and another member's grant goes through.
    app.sim()
        .wait_request("DELETE", &path, 6, WAIT)
        .await
        .expect("six refusals");
    app.slash(grant_pro(ids::KAI)).await;
    eventually_sync("Kai's Pro role", || has_role(&app, ids::KAI, ids::ROLE_PRO)).await;
    assert_eq!(mod_log_lines(&app, "delivery is paused"), 0);
    assert!(has_role(&app, ids::SAM, ids::ROLE_PRO), "still refused");
    app.stop().await;
}

/// A member who left cannot lose a role: the removal is done, not failed or retried.
#[tokio::test]
async fn removing_a_role_from_a_member_who_left_is_not_a_failure() {
    let mut app = TestApp::spawn_with(&products()).await;
    app.slash(grant_pro(ids::MINA)).await;
    eventually_sync("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    app.sim().member_remove(ids::MINA);
    app.slash(revoke_pro(ids::MINA)).await;
    let row = settled(&app, newest_outbox_id(&app, "remove_role").await).await;
    assert_eq!(row.status, "skipped", "{row:?}");
    assert_eq!(app.healthz().await.1["roles_out_of_sync"], 0);
    app.stop().await;
}

/// An item whose delivery outlives its lease (a slow Discord) is not claimed a second time
/// while the first delivery is still running.
#[tokio::test]
async fn a_delivery_past_its_lease_is_not_claimed_twice() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(
        chrono::Utc::now() + chrono::Duration::minutes(1),
    ));
    let mut app = TestApp::spawn_clocked("", clock.clone()).await;
    let path = role_path(ids::MINA, ids::ROLE_REGULAR);
    app.sim().inject_faults(
        "PUT",
        &path,
        vec![Fault::Delay(std::time::Duration::from_millis(800))],
    );
    let add = Effect::AddRole {
        guild_id: GuildId::new(ids::GUILD),
        user_id: UserId::new(ids::MINA),
        role_id: RoleId::new(ids::ROLE_REGULAR),
        reason: "test".into(),
    };
    let id = enqueue_effects(&app, &[add]).await[0];
    eventually_sync("the slow request is in flight", || {
        app.sim().faults_left() == 0
    })
    .await;
    // The lease (2 minutes) runs out while Discord still holds the request.
    clock.advance(chrono::Duration::minutes(3));
    app.bot().app.state.wakes.fire(lyceum::state::Topic::OUTBOX);
    let row = settled(&app, id).await;
    assert_eq!(row.status, "delivered", "{row:?}");
    assert_eq!(app.requests("PUT", &path).len(), 1, "sent once");
    app.stop().await;
}

/// Presses `/gate apply`'s confirmation as the owner; returns how many overwrites it queued.
async fn gate_apply(app: &TestApp) -> String {
    let (asked, _) = app
        .sim()
        .invoke(&SlashCall::new(ids::OWNER, "gate").subcommand("apply"))
        .unwrap();
    app.sim().wait_reply(asked).await.unwrap();
    let (press, _) = app
        .sim()
        .press_on_reply(ids::OWNER, asked, "lyceum:gate:apply")
        .unwrap();
    let done = app.sim().wait_response(press).await.unwrap();
    done["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn gate_check_until(app: &TestApp, what: &str, holds: impl Fn(&str) -> bool) -> String {
    let mut seen = String::new();
    eventually(what, async || {
        seen = app
            .slash(SlashCall::new(ids::OWNER, "gate").subcommand("check"))
            .await
            .content;
        holds(&seen)
    })
    .await;
    seen
}

/// A paid channel another role can see is a leak: `/gate check` names the role (and a
/// category that would open it on sync), `/gate apply` takes that role's View Channel away.
#[tokio::test]
async fn gate_check_names_another_role_that_can_see_a_paid_channel_and_apply_closes_it() {
    let mut app = TestApp::spawn_with(&products()).await;
    let course = ids::CHANNEL_READ_ONLY;
    // First the ordinary gate: hidden from @everyone, open to the course role.
    assert!(gate_apply(&app).await.starts_with("✅"));
    gate_check_until(&app, "the course gated", |c| {
        c.contains("✅ **Rust course**")
    })
    .await;

    // Someone lets the Pro role see the course channel; a Pro member without the course sees it.
    app.sim().set_member_roles(ids::KAI, &[ids::ROLE_PRO]);
    app.sim()
        .set_channel_overwrite(course, ids::ROLE_PRO, 0, 0x400 | 0x800, 0);
    const CATEGORY: u64 = 300_000_000_000_000_900;
    app.sim().add_category(
        CATEGORY,
        "Courses",
        vec![(ids::ROLE_MODERATORS_GROUP, 0, 0x400, 0)],
    );
    app.sim().set_channel_parent(course, CATEGORY);
    assert!(app.sim().can_view(course, ids::KAI), "the leak is real");
    let pro = format!("<@&{}>", ids::ROLE_PRO);
    let report = gate_check_until(&app, "the leak reported", |c| c.contains(&pro)).await;
    assert!(
        report.contains(&format!("{pro} can see <#{course}>")),
        "{report}"
    );
    assert!(
        report.contains(&format!("<#{CATEGORY}>"))
            && report.contains(&format!("<@&{}>", ids::ROLE_MODERATORS_GROUP)),
        "{report}"
    );

    let done = gate_apply(&app).await;
    assert!(done.starts_with("✅ 1 permission change"), "{done}");
    eventually_sync("the Pro role's view taken away", || {
        !app.sim().can_view(course, ids::KAI)
    })
    .await;
    let put = app
        .requests(
            "PUT",
            &format!("/channels/{course}/permissions/{}", ids::ROLE_PRO),
        )
        .remove(0);
    assert_eq!(
        put.body["allow"], "2048",
        "Send Messages kept, View Channel gone"
    );
    app.stop().await;
}

fn give_points(actor: u64, member: u64) -> SlashCall {
    SlashCall::new(actor, "points")
        .subcommand("give")
        .user_option("member", member)
        .integer("amount", 500)
        .string("reason", "for me")
}

/// Staff cannot pay themselves: `/points give` and `/membership grant|extend` to oneself are
/// refused for everyone but owners, and the attempt is audited either way.
#[tokio::test]
async fn staff_cannot_give_themselves_points_or_paid_time_but_owners_can() {
    let mut app = TestApp::spawn_with(&products()).await;
    app.slash(admin::grant(ids::OWNER, ids::MINA, "admin"))
        .await;

    let refused = app.slash(give_points(ids::MINA, ids::MINA)).await;
    assert!(refused.ephemeral);
    assert!(
        refused.content.contains("cannot give points to themselves"),
        "{}",
        refused.content
    );
    let refused = app
        .slash(
            membership(ids::MINA, "grant")
                .user_option("member", ids::MINA)
                .string("product", "pro")
                .locale("zh-CN"),
        )
        .await;
    assert!(
        refused.content.contains("只有所有者"),
        "{}",
        refused.content
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM points_ledger WHERE member_id = {}",
            ids::MINA
        ))
        .await,
        0
    );
    let refused = app
        .slash(
            membership(ids::MINA, "extend")
                .user_option("member", ids::MINA)
                .string("product", "pro")
                .string("duration", "7d"),
        )
        .await;
    assert!(
        refused.content.contains("Only an owner"),
        "{}",
        refused.content
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM grants").await, 0);
    let actions = app.audit_actions().await;
    for refused in [
        "points.give.refused_self",
        "membership.grant.refused_self",
        "membership.extend.refused_self",
    ] {
        assert!(actions.contains(&refused.to_string()), "{actions:?}");
    }

    // The admin may still give to others; an owner may give to themself.
    let given = app.slash(give_points(ids::MINA, ids::KAI)).await;
    assert!(given.content.contains("500"), "{}", given.content);
    let own = app.slash(give_points(ids::OWNER, ids::OWNER)).await;
    assert!(!own.content.contains("cannot"), "{}", own.content);
    let own = app.slash(grant_pro(ids::OWNER)).await;
    assert!(own.content.contains("Pro membership"), "{}", own.content);
    app.stop().await;
}

/// One thing that can happen to Mina's or Kai's Pro membership, or to its delivery.
#[derive(Debug, Clone)]
enum Step {
    /// `/membership grant` for this many days.
    Grant(usize, i64),
    Revoke(usize),
    /// Time passes (hours): grants run out, the expiry job ends them.
    Wait(i64),
    /// A reconciliation pass against the member list.
    Reconcile,
    /// `/admin retry`.
    Retry,
    /// Discord refuses the member's next role add (`PUT`) or removal (`DELETE`) with 403.
    Refuse(usize, &'static str),
    /// Discord answers the member's next role add or removal with 500.
    Outage(usize, &'static str),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    // Mostly Mina, so that one member's changes interleave densely; Kai shares the queue.
    let member = || prop_oneof![3 => Just(0usize), 1 => Just(1usize)];
    let method = || prop_oneof![Just("PUT"), Just("DELETE")];
    prop_oneof![
        3 => (member(), 1..4i64).prop_map(|(m, d)| Step::Grant(m, d)),
        2 => member().prop_map(Step::Revoke),
        1 => prop_oneof![Just(12i64), Just(50), Just(110)].prop_map(Step::Wait),
        1 => Just(Step::Reconcile),
        2 => Just(Step::Retry),
        2 => (member(), method()).prop_map(|(m, method)| Step::Refuse(m, method)),
        1 => (member(), method()).prop_map(|(m, method)| Step::Outage(m, method)),
    ]
}

const MEMBERS: [u64; 2] = [ids::MINA, ids::KAI];

/// Whether the member's grants give them the Pro role at the bot's current time.
async fn grants_say(app: &TestApp, member: u64) -> bool {
    let now = lyceum::clock::to_millis(app.bot().clock.now());
    app.count(&format!(
        "SELECT COUNT(*) FROM grants WHERE member_id = {member} AND role_id = {} AND ended_at IS NULL
           AND starts_at <= {now} AND (ends_at IS NULL OR ends_at > {now})",
        ids::ROLE_PRO
    ))
    .await
        > 0
}

async fn play(steps: Vec<Step>) {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(crate::membership::now()));
    let mut app = TestApp::spawn_clocked(&products(), clock.clone()).await;
    let reconcile = lyceum::features::membership::reconcile::Reconcile::new(
        app.bot().app.state.clone(),
        app.http(),
        std::sync::Arc::new(lyceum::discord::rate_limits::RateLimiter::new(50)),
    );
    for step in &steps {
        match *step {
            Step::Grant(m, days) => {
                let call = grant_pro(MEMBERS[m]).string("duration", &format!("{days}d"));
                app.slash(call).await;
            }
            Step::Revoke(m) => {
                app.slash(revoke_pro(MEMBERS[m])).await;
            }
            Step::Wait(hours) => {
                clock.advance(chrono::Duration::hours(hours));
                app.bot().app.state.grants_changed();
            }
            Step::Reconcile => {
                reconcile.pass(clock.now()).await.unwrap();
            }
            Step::Retry => {
                app.slash(admin::retry(ids::OWNER)).await;
            }
            Step::Refuse(m, method) | Step::Outage(m, method) => {
                let status = if matches!(step, Step::Refuse(..)) {
                    403
                } else {
                    500
                };
                let path = role_path(MEMBERS[m], ids::ROLE_PRO);
                app.sim()
                    .inject_faults(method, &path, vec![Fault::Status(status)]);
            }
        }
    }
    // Staff fix the cause; then time passes and staff retry until the queue is empty. A
    // delivery still in flight when the faults were cleared may fail after this point (a 500
    // backs off from the clock's *current* time, a 403 fails the item), so one fixed clock
    // advance is not enough: each round moves the clock to the next retry that is due, as real
    // time would, and retries what failed.
    app.sim().clear_faults();
    eventually_within(3 * WAIT, "the outbox drains", async || {
        let failed = app
            .count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
            .await;
        if failed > 0 {
            app.slash(admin::retry(ids::OWNER)).await;
        }
        let (pending, next_due): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(CASE WHEN is_head = 1 THEN next_attempt_at END)
               FROM outbox WHERE status = 'pending'",
        )
        .fetch_one(&app.db().read)
        .await
        .unwrap();
        if pending == 0 && failed == 0 {
            return true;
        }
        let now = lyceum::clock::to_millis(clock.now());
        // Only the head of each member's queue can be due; the items behind it wait for it.
        if let Some(due) = next_due.filter(|due| *due > now) {
            clock.advance(chrono::Duration::milliseconds(due - now));
        }
        app.bot().app.state.grants_changed();
        app.bot().app.state.wakes.fire(lyceum::state::Topic::OUTBOX);
        false
    })
    .await;
    for member in MEMBERS {
        let wanted = grants_say(&app, member).await;
        assert_eq!(
            has_role(&app, member, ids::ROLE_PRO),
            wanted,
            "<@{member}> after {steps:?}"
        );
    }
    app.stop().await;
}

/// For any interleaving of grants, revokes, expiry, reconciliation, retries and refused or
/// failed deliveries, once the outbox has drained each member holds the paid role exactly when
/// their grants say so.
#[test]
fn roles_converge_to_the_grants_for_any_interleaving() {
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(step(), 2..10);
    runner
        .run(&strategy, |steps| {
            runtime.block_on(play(steps));
            Ok(())
        })
        .unwrap();
}
