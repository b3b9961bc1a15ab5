//! `peak OUT -- CMD [ARGS...]`: runs CMD, waits for it with wait4(2) and writes its exit code,
//! peak resident memory and CPU time to OUT as one line of JSON:
//! `{"exit": 0, "maxrss_kib": 71234, "user_s": 1.234, "sys_s": 0.210}`.
//!
//! Why not os.wait4 in the benchmark itself: Linux's ru_maxrss of a process started with
//! fork/vfork + exec counts the memory the parent had at that moment (the exec keeps the
//! address space's high-water mark), so every child of a Python process holding a few hundred
//! MiB of generated site was measured at least that large. Started from this small program,
//! CMD carries at most this program's own 1-2 MiB (the benchmark records that baseline by
//! measuring `true`). Output and input pass straight through; the exit code is CMD's.
use std::io::Write;
use std::process::{Command, exit};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 || args[2] != "--" {
        eprintln!("usage: peak OUT -- CMD [ARGS...]");
        exit(2);
    }
    let child = match Command::new(&args[3]).args(&args[4..]).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("peak: cannot run {}: {e}", args[3]);
            exit(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it and status for our own child.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            eprintln!("peak: wait4: {}", std::io::Error::last_os_error());
            exit(125);
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let line = format!(
        "{{\"exit\": {code}, \"maxrss_kib\": {}, \"user_s\": {:.6}, \"sys_s\": {:.6}}}\n",
        ru.ru_maxrss,
        secs(ru.ru_utime),
        secs(ru.ru_stime)
    );
    if let Err(e) = std::fs::File::create(&args[1]).and_then(|mut f| f.write_all(line.as_bytes())) {
        eprintln!("peak: {}: {e}", args[1]);
        exit(125);
    }
    exit(code);
}
