use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use sync_core::reconcile::{Progress, Summary};

/// A spinner with the running counts on a terminal; nothing when stderr is
/// not one (the log lines tell the story there).
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    pub fn new() -> Self {
        Self::with_target(ProgressDrawTarget::stderr())
    }

    /// Draws on `target` instead of stderr (a test's in-memory terminal).
    pub fn with_target(target: ProgressDrawTarget) -> Self {
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for TerminalProgress {
    fn report(&self, s: &Summary) {
        self.bar.set_message(format!(
            "{:?}: {} Stripe / {} local checked · catalog +{} ~{} -{} · linked {} · to Stripe +{} ~{} -{} · conflicts {}",
            s.phase,
            s.checked.remote,
            s.checked.local,
            s.catalog.created,
            s.catalog.updated,
            s.catalog.deleted,
            s.linked,
            s.remote.created,
            s.remote.updated,
            s.remote.deleted,
            s.conflicts
        ));
    }
}
