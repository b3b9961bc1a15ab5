//! Fault injection for the publishing tests (see `Staging::commit`).

use anyhow::{Result, bail};

/// Fault injection for the publishing tests, from the environment: `PLAYBOOK_FAULT_STOP_AFTER=N`
/// kills the process (SIGKILL, as a power cut or the OOM killer would) right after step N of
/// publishing; `PLAYBOOK_FAULT_FAIL_AT=N` makes step N fail with an error instead of running.
pub(super) struct Faults {
    stop_after: Option<usize>,
    fail_at: Option<usize>,
    done: usize,
}

impl Faults {
    pub(super) fn from_env() -> Faults {
        let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            stop_after: number("PLAYBOOK_FAULT_STOP_AFTER"),
            fail_at: number("PLAYBOOK_FAULT_FAIL_AT"),
            done: 0,
        }
    }

    /// Returns true if and only if `PLAYBOOK_FAULT_NO_EXCHANGE=1`: publish as on a system
    /// that cannot swap two folders in one step.
    pub(super) fn no_exchange() -> bool {
        std::env::var_os("PLAYBOOK_FAULT_NO_EXCHANGE").is_some_and(|v| v == "1")
    }

    /// Runs step `what` of publishing.
    pub(super) fn step<T>(&mut self, what: &str, run: impl FnOnce() -> Result<T>) -> Result<T> {
        self.done += 1;
        let n = self.done;
        if self.fail_at == Some(n) {
            bail!("publishing step {n} ({what}) failed on purpose: PLAYBOOK_FAULT_FAIL_AT={n}");
        }
        let value = run()?;
        if self.stop_after == Some(n) {
            eprintln!(
                "stopping abruptly after publishing step {n} ({what}): PLAYBOOK_FAULT_STOP_AFTER={n}"
            );
            #[cfg(unix)]
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::KILL,
            );
            std::process::abort();
        }
        Ok(value)
    }
}
