//! Salesforce's faults, one at a time in the schedule like the others, and
//! its low rate of failed REST calls in between (`calm`).
//!
//! Two choices keep what the comparison judges well defined:
//! - **The clock only steps forward mid-run, and stays there.** The double
//!   never hands out a stamp earlier than one it handed out: a clock set
//!   back (a negative skew, or a positive one undone) freezes every stamp,
//!   counting on by 1 ms, until the clock catches up, minutes later, so
//!   records would be stamped in the org's future. A forward step keeps
//!   every stamp on the org's clock, which the sync must learn again from
//!   the `Date` of its answers. A clock behind ours all along is the run's
//!   `--skew-minutes`, set before anything is stamped.
//! - **A merge folds a Contact into a master the person has just made**,
//!   in the same instant (no await between), so the poller cannot have
//!   brought the master in: the loser's customer (if it came in) is
//!   relinked to the master and takes its values; if it did not come in,
//!   the master comes in as a new customer. Either way the ledger expects
//!   ONE customer for the person, linked to the master, with the master's
//!   values, and no customer deleted. (Merging two Contacts that each
//!   stand for a customer is kept as a visible conflict by design: not a
//!   state the comparison could call right or wrong.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use testkit::salesforce_double::{DuplicateAction, DuplicateMatching};

use super::driver::lock;
use super::faults::{seconds, FaultKind};
use super::ledger::{Cohort, Ledger, Values};
use super::rig::Rig;
use super::sf_person::SalesforcePerson;

/// Long enough for a poll (every second) to have read every delete made
/// before a purge, with a failed poll or two on the way.
const BEFORE_PURGE: Duration = Duration::from_secs(5);

/// What the Salesforce faults reach besides the rig.
pub struct SalesforceFaults {
    pub person: SalesforcePerson,
    pub ledger: Arc<Mutex<Ledger>>,
    pub deletes_paused: Arc<AtomicBool>,
    /// How far the org's clock runs ahead of ours now.
    pub skew: Mutex<TimeDelta>,
    /// `--keep-recycle-bin`: a purge never empties the bin first.
    pub keep_recycle_bin: bool,
}

impl SalesforceFaults {
    /// Plays one Salesforce fault for at most `left`, and ends it.
    pub async fn play(&self, rig: &Rig, rng: &mut StdRng, kind: FaultKind, left: Duration) -> anyhow::Result<String> {
        let org = &rig.salesforce;
        match kind {
            FaultKind::SalesforceTokensExpired => {
                org.expire_tokens();
                Ok("every token expired".into())
            }
            FaultKind::SalesforceAppRevoked => {
                org.revoke_app();
                tokio::time::sleep(seconds(rng, 3.0..8.0).min(left)).await;
                org.restore_app();
                Ok("the connected app revoked, then restored".into())
            }
            FaultKind::SalesforceDuplicateRule => {
                org.set_duplicate_rule(Some((DuplicateMatching::StandardContact, DuplicateAction::Alert)));
                tokio::time::sleep(seconds(rng, 10.0..25.0).min(left)).await;
                org.set_duplicate_rule(None);
                Ok("the standard duplicate rule on (Alert)".into())
            }
            FaultKind::SalesforcePurge => {
                // Deletes nobody can read any more are the README's
                // `poller.missed`, for a reconcile to show: not what this
                // soak judges. So the person's deletes pause until the
                // poller has read every one made.
                self.deletes_paused.store(true, Ordering::SeqCst);
                tokio::time::sleep(BEFORE_PURGE.min(left)).await;
                // Drawn either way, so the flag shifts no other choice.
                let empty = rng.random_bool(0.5) && !self.keep_recycle_bin;
                let emptied = empty.then(|| org.empty_recycle_bin());
                org.purge_delete_log();
                self.deletes_paused.store(false, Ordering::SeqCst);
                Ok(match emptied {
                    Some(n) => format!("the recycle bin emptied ({n} Contacts), then the delete log purged"),
                    None => "the delete log purged".into(),
                })
            }
            FaultKind::SalesforceMerge => self.merge(rng),
            FaultKind::SalesforceClockAhead => {
                let step = TimeDelta::minutes(rng.random_range(1..=3));
                let mut skew = self.skew.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                *skew += step;
                org.skew_clock(*skew);
                Ok(format!("the org's clock steps {} min ahead (now {} min)", step.num_minutes(), skew.num_minutes()))
            }
            other => anyhow::bail!("{other:?} is not a Salesforce fault"),
        }
    }

    /// A fresh master made by the person, and a loser merged into it at
    /// once: a Contact the person made before, or a fresh one too.
    fn merge(&self, rng: &mut StdRng) -> anyhow::Result<String> {
        let mut ledger = lock(&self.ledger);
        let losers: Vec<usize> = (0..ledger.customers.len())
            .filter(|&i| {
                let c = &ledger.customers[i];
                c.cohort == Cohort::SalesforceBorn && !c.busy && !c.deleted && !c.uncertain && c.salesforce_id.is_some()
            })
            .collect();
        let values = Values { name: ledger.fresh_name(), email: ledger.fresh_email() };
        let master = self.person.create(&values.name, &values.email).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let (index, loser) = match losers.get(rng.random_range(0..losers.len().max(1))) {
            Some(&index) => (index, ledger.customers[index].salesforce_id.clone().unwrap_or_default()),
            None => {
                let loser = Values { name: ledger.fresh_name(), email: ledger.fresh_email() };
                let id = self.person.create(&loser.name, &loser.email).map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let index = ledger.add(Cohort::SalesforceBorn, loser);
                ledger.customers[index].busy = false;
                (index, id)
            }
        };
        self.person.merge(&master, &loser).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let at = ledger.elapsed();
        let customer = &mut ledger.customers[index];
        customer.history.push(format!("{at:8.3}s merged: {loser} into a fresh master {master} {values:?}"));
        customer.salesforce_id = Some(master.clone());
        customer.merged_ids.push(loser.clone());
        customer.emails.push(values.email.clone());
        customer.expected = values;
        Ok(format!("{loser} merged into the fresh {master}"))
    }
}

/// Salesforce between faults: now and then a REST call answers 503
/// `SERVER_UNAVAILABLE` or `UNABLE_TO_LOCK_ROW` (both retried).
pub async fn calm(rig: &Rig, seed: u64, until: Instant) -> u32 {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut played = 0;
    loop {
        let gap = seconds(&mut rng, 2.0..6.0);
        tokio::time::sleep(gap.min(until.saturating_duration_since(Instant::now()))).await;
        if Instant::now() >= until {
            return played;
        }
        let times = rng.random_range(1..=2);
        if rng.random_bool(0.5) {
            rig.salesforce.fail_next(times, 503, "SERVER_UNAVAILABLE");
        } else {
            rig.salesforce.fail_next(times, 400, "UNABLE_TO_LOCK_ROW");
        }
        played += times;
    }
}
