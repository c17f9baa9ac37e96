//! Thread priorities: the bulk work a chat flood causes — the message lane deciding messages,
//! the database writer committing their points — runs at a lower priority (nice 10), so that
//! when it and a member's command want the same core, the command's threads (the runtime's,
//! SQLite's readers, the HTTP client's) go first. Bulk work still gets every core nobody else
//! wants: on an idle machine nothing changes. Linux only (threads have their own nice value
//! there); elsewhere these do nothing.

/// How far bulk threads step back: low enough that an interaction's threads win a contended
/// core, not so low that the work starves.
#[cfg(target_os = "linux")]
const BULK_NICE: libc::c_int = 10;

/// Lowers the calling thread's priority. False where the OS refused or has no per-thread one.
pub fn lower_this_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a plain syscall on the calling thread, no memory handed over.
        let thread = unsafe { libc::syscall(libc::SYS_gettid) } as libc::id_t;
        lower(thread)
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Lowers the priority of this process's threads whose name starts with `prefix` (a thread
/// another library spawned, such as SQLite's connection worker). Returns how many it lowered.
pub fn lower_threads_named(prefix: &str) -> usize {
    #[cfg(target_os = "linux")]
    {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return 0;
        };
        tasks
            .flatten()
            .filter(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.starts_with(prefix))
            })
            .filter_map(|task| task.file_name().to_str()?.parse::<libc::id_t>().ok())
            .filter(|thread| lower(*thread))
            .count()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = prefix;
        0
    }
}

#[cfg(target_os = "linux")]
fn lower(thread: libc::id_t) -> bool {
    // SAFETY: a plain syscall naming a thread of this process, no memory handed over.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, thread, BULK_NICE) == 0 }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn nice_of(thread: libc::id_t) -> libc::c_int {
        // SAFETY: as above; getpriority reads only.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, thread) }
    }

    #[test]
    fn a_named_thread_is_lowered_and_others_are_not() {
        let (ready, wait) = std::sync::mpsc::channel();
        let (done, finish) = std::sync::mpsc::channel::<()>();
        let named = std::thread::Builder::new()
            .name("lyceum-bulktest".into())
            .spawn(move || {
                // SAFETY: as above.
                let me = unsafe { libc::syscall(libc::SYS_gettid) } as libc::id_t;
                ready.send(me).expect("send");
                let _ = finish.recv();
            })
            .expect("spawn");
        let thread = wait.recv().expect("tid");
        // SAFETY: as above.
        let this = unsafe { libc::syscall(libc::SYS_gettid) } as libc::id_t;
        let before = nice_of(this);
        if before >= BULK_NICE {
            // Already running at or below bulk priority (e.g. under `nice`): raising it back
            // is not allowed, and there is nothing to show.
            done.send(()).expect("send");
            named.join().expect("join");
            return;
        }
        assert_eq!(lower_threads_named("lyceum-bulktest"), 1);
        assert_eq!(nice_of(thread), BULK_NICE);
        assert_eq!(
            nice_of(this),
            before,
            "the calling thread keeps its priority"
        );
        done.send(()).expect("send");
        named.join().expect("join");
    }
}
