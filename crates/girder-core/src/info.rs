//! Introspection: `process_info` and `processes`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::Pid;
use crate::process::pcb::{EXITING, Extra, Pcb, RUNNABLE, RUNNING};
use crate::runtime::with_shared;
use crate::signal::Signal;

/// What a process is doing. Erlang `process_info(Pid, status)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Being polled by a scheduler right now.
    Running,
    /// Queued, waiting for a scheduler.
    Runnable,
    /// Waiting (in receive, a sleep, or I/O).
    Waiting,
    /// Exiting.
    Exiting,
}

/// A snapshot of a process. Erlang `process_info/1`, Elixir `Process.info/1`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProcessInfo {
    /// The process.
    pub pid: Pid,
    /// What it is doing.
    pub status: Status,
    /// Messages waiting (mailbox plus not yet handled signals).
    pub message_queue_len: usize,
    /// Reductions spent so far.
    pub reductions: u64,
    /// Bytes the process holds: its control block, its future, its queues.
    pub memory: usize,
    /// Linked processes.
    pub links: Vec<Pid>,
    /// Processes this one monitors.
    pub monitors: Vec<Pid>,
    /// Processes monitoring this one.
    pub monitored_by: Vec<Pid>,
    /// Its registered name.
    pub registered_name: Option<String>,
    /// Whether it traps exits.
    pub trap_exit: bool,
    /// When it was spawned, as time since the runtime started (to within
    /// 10 ms).
    pub spawned_at: Duration,
}

/// A snapshot of `pid`, or `None` if it is not a live local process.
///
/// ```
/// girder_core::run(async {
///     let me = girder_core::self_pid();
///     girder_core::send(me, 1u8);
///     let info = girder_core::process_info(me).unwrap();
///     assert_eq!(info.message_queue_len, 1);
///     assert_eq!(info.status, girder_core::Status::Running);
/// }).unwrap();
/// ```
pub fn process_info(pid: Pid) -> Option<ProcessInfo> {
    if !pid.is_local() {
        return None;
    }
    let pcb = with_shared(|s| s.table.get(pid))?;
    Some(snapshot(&pcb))
}

fn snapshot(pcb: &Pcb) -> ProcessInfo {
    let local = pcb.local();
    let (queued, queued_messages, queued_bytes) = {
        let q = local.queued();
        let messages = q.iter().filter(|s| matches!(s, Signal::Message(_))).count();
        (q.len(), messages, q.heap_bytes())
    };
    let status = match pcb.status.load(Ordering::Relaxed) {
        RUNNING => Status::Running,
        EXITING => Status::Exiting,
        RUNNABLE => Status::Runnable,
        _ if queued > 0 => Status::Runnable,
        _ => Status::Waiting,
    };
    let extra = local.extra.as_deref();
    let mut memory = pcb.task_bytes() + local.mailbox.heap_bytes() + queued_bytes;
    if let Some(e) = extra {
        memory += size_of::<Extra>()
            + e.links.capacity() * size_of::<Pid>()
            + e.monitors.heap_bytes()
            + e.monitored_by.heap_bytes();
    }
    ProcessInfo {
        pid: pcb.pid(),
        status,
        message_queue_len: local.mailbox.len() + queued_messages,
        reductions: pcb.reductions.load(Ordering::Relaxed),
        memory,
        links: extra.map_or_else(Vec::new, |e| {
            let mut v: Vec<Pid> = e.links.iter().copied().collect();
            v.sort();
            v
        }),
        monitors: extra.map_or_else(Vec::new, |e| e.monitors.values()),
        monitored_by: extra.map_or_else(Vec::new, |e| e.monitored_by.values()),
        registered_name: extra.and_then(|e| e.name.as_deref().map(str::to_owned)),
        trap_exit: pcb.traps_exits(),
        spawned_at: Duration::from_millis(u64::from(pcb.spawned_at) * 10),
    }
}

/// Every live local process, sorted by pid. Erlang `processes/0`, Elixir
/// `Process.list/0`.
pub fn processes() -> Vec<Pid> {
    with_shared(|s| s.table.pids())
}
