//! The command's terminal progress, drawn on an in-memory terminal.

#![allow(clippy::unwrap_used)]

use std::io;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressDrawTarget, TermLike};
use webhook_service::reconcile::{Changes, Checked, Phase, Progress, Summary, TerminalProgress};

/// The lines on the screen and the cursor: enough of a terminal for a
/// one-line spinner.
#[derive(Debug, Default)]
struct Screen {
    lines: Vec<String>,
    row: usize,
    column: usize,
    /// The lines as of the last flush: the spinner's ticker thread may be
    /// halfway through a redraw when the test looks.
    flushed: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct MemoryTerm(Arc<Mutex<Screen>>);

impl MemoryTerm {
    /// What the screen shows, trailing blanks left out.
    fn text(&self) -> String {
        let screen = self.0.lock().unwrap();
        screen.flushed.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n").trim_end().to_owned()
    }

    fn with(&self, change: impl FnOnce(&mut Screen)) -> io::Result<()> {
        change(&mut self.0.lock().unwrap());
        Ok(())
    }
}

impl Screen {
    fn put(&mut self, c: char) {
        if self.lines.len() <= self.row {
            self.lines.resize(self.row + 1, String::new());
        }
        let mut line: Vec<char> = self.lines[self.row].chars().collect();
        if line.len() <= self.column {
            line.resize(self.column + 1, ' ');
        }
        line[self.column] = c;
        self.lines[self.row] = line.into_iter().collect();
        self.column += 1;
    }
}

impl TermLike for MemoryTerm {
    fn width(&self) -> u16 {
        250
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.with(|s| s.row = s.row.saturating_sub(n))
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.with(|s| s.row += n)
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.with(|s| s.column += n)
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.with(|s| s.column = s.column.saturating_sub(n))
    }

    fn write_line(&self, text: &str) -> io::Result<()> {
        self.write_str(text)?;
        self.with(|s| (s.row, s.column) = (s.row + 1, 0))
    }

    fn write_str(&self, text: &str) -> io::Result<()> {
        self.with(|s| {
            for c in text.chars() {
                match c {
                    '\r' => s.column = 0,
                    '\n' => (s.row, s.column) = (s.row + 1, 0),
                    c => s.put(c),
                }
            }
        })
    }

    fn clear_line(&self) -> io::Result<()> {
        self.with(|s| {
            if let Some(line) = s.lines.get_mut(s.row) {
                line.clear();
            }
            s.column = 0;
        })
    }

    fn flush(&self) -> io::Result<()> {
        self.with(|s| s.flushed = s.lines.clone())
    }
}

#[test]
fn the_progress_shows_the_reported_counts_and_finish_clears_it() {
    let term = MemoryTerm::default();
    let progress = TerminalProgress::with_target(ProgressDrawTarget::term_like(Box::new(term.clone())));
    let summary = Summary {
        phase: Phase::Local,
        checked: Checked { remote: 12, local: 7 },
        catalog: Changes { created: 3, updated: 2, deleted: 1 },
        linked: 4,
        remote: Changes { created: 5, updated: 6, deleted: 8 },
        conflicts: 9,
        ..Summary::default()
    };

    progress.report(&summary);
    let shown = term.text();
    progress.finish();

    for part in ["Local: 12 Stripe / 7 local checked", "catalog +3 ~2 -1", "linked 4", "to Stripe +5 ~6 -8", "conflicts 9"] {
        assert!(shown.contains(part), "'{part}' not in '{shown}'");
    }
    assert_eq!(shown.lines().count(), 1, "one line: {shown}");
    assert_eq!(term.text(), "", "finish leaves nothing behind");
}
