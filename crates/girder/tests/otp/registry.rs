//! Registry: unique and duplicate keys, removal of a process's entries when
//! it exits, dispatch, metadata, `via` names, the registry's own lifecycle,
//! and partitioned registries under load. After Elixir's
//! `test/elixir/registry_test.exs` (its `unique`, `duplicate`, `via`,
//! `meta` and `partitions` describe blocks) and `registry/duplicate_test.exs`.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use girder::otp::gen_server::{
    self, Action, GenServer, Reply, ReplyTo, Server, StartError as ServerStartError,
};
use girder::otp::registry::{Keys, Options, RegisterError, Registry, RegistryVia, StartError};
use girder::otp::{Name, ViaName};
use girder::prelude::*;

use crate::PATIENCE;

/// Waits until `cond` holds, polling; fails the test after [`PATIENCE`].
/// For what the registry does asynchronously (a partition removing a dead
/// process's entries), which no message announces.
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting until {what}");
        sleep(Duration::from_millis(1)).await;
    }
}

/// Waits for the `Down` of monitor `m`.
async fn down(m: Ref) -> Down {
    receive_match(move |d: &Down| d.monitor == m).await
}

/// Spawns a process that runs `setup`, reports to the caller, then waits
/// for a `Stop` and exits. Returns its pid and a monitor on it.
async fn registrant<F, Fut>(setup: F) -> (Pid, Ref)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let me = self_pid();
    let (pid, m) = spawn_monitor(async move {
        setup().await;
        send(me, Ready(self_pid()));
        receive! {
            Stop: Stop => {},
            Panic: Panic => panic!("asked to"),
        }
    });
    receive_match(move |r: &Ready| r.0 == pid).await;
    (pid, m)
}

#[derive(Debug)]
struct Ready(Pid);

#[derive(Debug)]
struct Stop;

#[derive(Debug)]
struct Panic;

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

async fn unique<V: Clone + Send + Sync + 'static>() -> Registry<&'static str, V> {
    Registry::start_link(Keys::Unique)
        .await
        .expect("registry starts")
}

async fn duplicate<V: Clone + Send + Sync + 'static>(
    partitions: usize,
) -> Registry<&'static str, V> {
    Registry::start_link(Options::new(Keys::Duplicate).partitions(partitions))
        .await
        .expect("registry starts")
}

// ---------------------------------------------------------------- unique

girder_test!(
    /// `unique`: "starts configured" / "has unique registrations": lookup
    /// from the registrant and from another process.
    unique_register_then_lookup_anywhere,
    async {
        let reg = unique::<&str>().await;
        assert_eq!(reg.kind(), Keys::Unique);
        assert!(reg.lookup(&"hello").is_empty());
        assert_eq!(reg.register("hello", "value"), Ok(()));
        let me = self_pid();
        assert_eq!(reg.lookup(&"hello"), [(me, "value")]);
        let r = reg.clone();
        spawn(async move { send(me, r.lookup(&"hello")) });
        assert_eq!(receive::<Vec<(Pid, &str)>>().await, [(me, "value")]);
        assert_eq!(reg.count(), 1);
    }
);

girder_test!(
    /// `unique`: a key held by a live process is refused, to others and to
    /// the holder itself.
    unique_register_refuses_a_live_holder,
    async {
        let reg = unique::<u32>().await;
        let r = reg.clone();
        let (holder, _) = registrant(move || async move { r.register("taken", 1).unwrap() }).await;
        assert_eq!(reg.register("taken", 2), Err(RegisterError::AlreadyRegistered(holder)));
        let me = self_pid();
        reg.register("mine", 1).unwrap();
        assert_eq!(reg.register("mine", 2), Err(RegisterError::AlreadyRegistered(me)));
        assert_eq!(reg.lookup(&"taken"), [(holder, 1)]);
        assert_eq!(reg.lookup(&"mine"), [(me, 1)]);
        assert_eq!(reg.count(), 2);
    }
);

girder_test!(
    /// `unique`: "compares using ===" / "allows registration after the
    /// holder exits": a dead holder is never looked up, and its key is free
    /// at once, before its partition cleans up; the cleanup then leaves the
    /// new holder alone.
    unique_key_is_free_once_its_holder_exits,
    async {
        let reg = unique::<u32>().await;
        let r = reg.clone();
        let (holder, m) = registrant(move || async move {
            r.register("k", 1).unwrap();
            r.register("other", 2).unwrap();
        })
        .await;
        send(holder, Stop);
        down(m).await;
        assert!(reg.lookup(&"k").is_empty(), "lookup skips an exited holder");
        assert_eq!(reg.register("k", 3), Ok(()), "an exited holder's key is free");
        let me = self_pid();
        assert_eq!(reg.lookup(&"k"), [(me, 3)]);
        eventually("the exited holder's entries are gone", || reg.keys(holder).is_empty()).await;
        assert_eq!(reg.lookup(&"k"), [(me, 3)]);
        assert!(reg.lookup(&"other").is_empty());
        assert_eq!(reg.count(), 1);
    }
);

girder_test!(
    /// `unique`: "unregisters": only the caller's own entry goes.
    unique_unregister_removes_only_the_callers_entry,
    async {
        let reg = unique::<()>().await;
        let r = reg.clone();
        let (other, _) = registrant(move || async move { r.register("theirs", ()).unwrap() }).await;
        reg.register("mine", ()).unwrap();
        reg.unregister(&"theirs");
        reg.unregister(&"absent");
        assert_eq!(reg.lookup(&"theirs"), [(other, ())]);
        reg.unregister(&"mine");
        assert!(reg.lookup(&"mine").is_empty());
        assert!(reg.keys(self_pid()).is_empty());
        assert_eq!(reg.count(), 1);
        // Re-registering after an unregister works.
        reg.register("mine", ()).unwrap();
        assert_eq!(reg.count(), 2);
    }
);

girder_test!(
    /// `unique`: "unregister_match": only entries whose value matches.
    unique_unregister_match,
    async {
        let reg = unique::<u32>().await;
        reg.register("k", 7).unwrap();
        reg.unregister_match(&"k", |v| *v == 8);
        assert_eq!(reg.values(&"k", self_pid()), [7]);
        reg.unregister_match(&"k", |v| *v == 7);
        assert!(reg.lookup(&"k").is_empty());
    }
);

girder_test!(
    /// `unique`: "updates the value": only by the holder; `None` when the
    /// caller does not hold the key.
    unique_update_value,
    async {
        let reg = unique::<u32>().await;
        reg.register("mine", 1).unwrap();
        assert_eq!(reg.update_value(&"mine", |v| v + 1), Some((2, 1)));
        assert_eq!(reg.lookup(&"mine"), [(self_pid(), 2)]);
        assert_eq!(reg.update_value(&"absent", |v| v + 1), None);
        let r = reg.clone();
        let (other, _) = registrant(move || async move { r.register("theirs", 10).unwrap() }).await;
        assert_eq!(reg.update_value(&"theirs", |v| v + 1), None);
        assert_eq!(reg.lookup(&"theirs"), [(other, 10)]);
        // The callback may use the registry: it runs outside any lock.
        let r = reg.clone();
        assert_eq!(reg.update_value(&"mine", |v| v + r.count() as u32), Some((4, 2)));
    }
);

girder_test!(
    /// `unique`: "looks up keys and values of a process".
    unique_keys_and_values,
    async {
        let reg: Registry<&str, u32> =
            Registry::start_link(Options::new(Keys::Unique).partitions(8)).await.unwrap();
        let me = self_pid();
        reg.register("a", 1).unwrap();
        reg.register("b", 2).unwrap();
        assert_eq!(sorted(reg.keys(me)), ["a", "b"]);
        assert_eq!(reg.values(&"a", me), [1]);
        assert!(reg.values(&"c", me).is_empty());
        let r = reg.clone();
        let (other, _) = registrant(move || async move { r.register("c", 3).unwrap() }).await;
        assert!(reg.values(&"c", me).is_empty(), "values of another pid");
        assert_eq!(reg.values(&"c", other), [3]);
        assert_eq!(reg.keys(other), ["c"]);
    }
);

girder_test!(
    /// `unique`: "dispatches to a single key": the callback gets the holder;
    /// it is not called for a key nobody holds.
    unique_dispatch,
    async {
        let reg = unique::<&str>().await;
        let mut calls = 0;
        reg.dispatch(&"hello", |_| calls += 1);
        assert_eq!(calls, 0, "no entries, no call");
        reg.register("hello", "value").unwrap();
        let me = self_pid();
        reg.dispatch(&"hello", |entries| {
            calls += 1;
            assert_eq!(entries, [(me, "value")]);
        });
        assert_eq!(calls, 1);
    }
);

girder_test!(
    /// `unique`: "count_match", "select" and "count_select" over every
    /// partition; `matches` (Elixir `match/4`).
    unique_count_match_and_select,
    async {
        let reg: Registry<u32, u32> =
            Registry::start_link(Options::new(Keys::Unique).partitions(4)).await.unwrap();
        let me = self_pid();
        for k in 0..20 {
            reg.register(k, k * 10).unwrap();
        }
        assert_eq!(reg.count(), 20);
        assert_eq!(reg.count_match(&3, |v| *v == 30), 1);
        assert_eq!(reg.count_match(&3, |v| *v == 31), 0);
        assert_eq!(reg.matches(&4, |v| *v >= 40), [(me, 40)]);
        assert!(reg.matches(&4, |v| *v > 40).is_empty());
        let big = sorted(reg.select(|k, pid, v| (*v >= 150 && pid == me).then_some(*k)));
        assert_eq!(big, [15, 16, 17, 18, 19]);
        assert_eq!(reg.count_select(|k, _, _| k % 2 == 0), 10);
    }
);

// ------------------------------------------------------------- duplicate

girder_test!(
    /// `duplicate`: "has duplicate registrations": one process may register
    /// a key many times; so may others.
    duplicate_register_one_key_many_times,
    async {
        let reg = duplicate::<u32>(1).await;
        assert_eq!(reg.kind(), Keys::Duplicate);
        let me = self_pid();
        reg.register("k", 1).unwrap();
        reg.register("k", 2).unwrap();
        let r = reg.clone();
        let (other, _) = registrant(move || async move { r.register("k", 3).unwrap() }).await;
        assert_eq!(sorted(reg.lookup(&"k")), sorted(vec![(me, 1), (me, 2), (other, 3)]));
        assert_eq!(reg.values(&"k", me), [1, 2], "in registration order");
        assert_eq!(reg.values(&"k", other), [3]);
        assert_eq!(reg.count(), 3);
        assert_eq!(reg.count_match(&"k", |v| *v > 1), 2);
    }
);

girder_test!(
    /// `duplicate`: "unregisters" / "unregister_match": all or the matching
    /// entries of the caller under the key, never another process's.
    duplicate_unregister_and_unregister_match,
    async {
        let reg = duplicate::<u32>(4).await;
        let me = self_pid();
        for v in [1, 2, 3] {
            reg.register("k", v).unwrap();
        }
        reg.register("j", 9).unwrap();
        let r = reg.clone();
        let (other, _) = registrant(move || async move { r.register("k", 4).unwrap() }).await;
        reg.unregister_match(&"k", |v| *v == 2);
        assert_eq!(reg.values(&"k", me), [1, 3]);
        reg.unregister(&"k");
        assert!(reg.values(&"k", me).is_empty());
        assert_eq!(reg.lookup(&"k"), [(other, 4)]);
        assert_eq!(reg.keys(me), ["j"]);
        assert_eq!(reg.count(), 2);
    }
);

girder_test!(
    /// `duplicate`: "keys" lists a key once per entry.
    duplicate_keys_once_per_entry,
    async {
        let reg = duplicate::<()>(2).await;
        reg.register("a", ()).unwrap();
        reg.register("a", ()).unwrap();
        reg.register("b", ()).unwrap();
        assert_eq!(sorted(reg.keys(self_pid())), ["a", "a", "b"]);
    }
);

girder_test!(
    /// `duplicate` with partitions: "dispatches to multiple keys" — a pubsub:
    /// every subscriber, whatever its partition, gets the broadcast once;
    /// the callback runs once per partition that holds entries and may use
    /// the registry.
    duplicate_dispatch_reaches_every_subscriber,
    async {
        let reg = duplicate::<u32>(8).await;
        let mut subscribers = HashSet::new();
        for i in 0..64 {
            let r = reg.clone();
            let (pid, _) = registrant(move || async move { r.register("topic", i).unwrap() }).await;
            subscribers.insert(pid);
        }
        let mut reached = HashSet::new();
        let mut calls = 0;
        let r = reg.clone();
        reg.dispatch(&"topic", |entries| {
            calls += 1;
            assert!(!entries.is_empty());
            assert_eq!(r.count(), 64, "the callback may use the registry");
            for (pid, _) in entries {
                assert!(reached.insert(*pid), "each subscriber once");
            }
        });
        assert_eq!(reached, subscribers);
        assert!((1..=8).contains(&calls), "{calls} calls for 8 partitions");
        let mut none = 0;
        reg.dispatch(&"other", |_| none += 1);
        assert_eq!(none, 0);
    }
);

// ---------------------------------------------- entries of exited processes

girder_test!(
    /// "removes registrations on process exit", for every way to exit:
    /// normal, panic, a custom reason, killed; both kinds of registry.
    entries_go_when_their_process_exits,
    async {
        for keys in [Keys::Unique, Keys::Duplicate] {
            let reg: Registry<String, u32> =
                Registry::start_link(Options::new(keys).partitions(4)).await.unwrap();
            for how in ["normal", "panic", "boom", "killed"] {
                let r = reg.clone();
                let (pid, m) = registrant(move || async move {
                    for i in 0..10 {
                        r.register(format!("{how}{i}"), i).unwrap();
                        r.register("shared".to_string(), i).ok();
                    }
                })
                .await;
                assert!(reg.keys(pid).len() >= 10);
                match how {
                    "normal" => send(pid, Stop),
                    "panic" => send(pid, Panic),
                    "killed" => exit(pid, ExitReason::Kill),
                    other => exit(pid, ExitReason::other(other)),
                }
                let d = down(m).await;
                let expected = match how {
                    "normal" => ExitReason::Normal,
                    "panic" => ExitReason::Panic("asked to".into()),
                    "killed" => ExitReason::Killed,
                    other => ExitReason::other(other),
                };
                assert_eq!(d.reason, expected);
                eventually("a dead process's entries are gone", || {
                    reg.keys(pid).is_empty()
                })
                .await;
                assert!(reg.lookup(&format!("{how}0")).is_empty());
            }
            assert_eq!(reg.count(), 0, "{keys:?}");
        }
    }
);

girder_test!(
    /// A process that exits (or is killed) right after registering, before
    /// its partition has seen anything of it, leaves nothing behind: its
    /// exit signal follows its link signal.
    entries_go_when_the_process_exits_right_after_registering,
    async {
        let reg: Registry<u32, ()> =
            Registry::start_link(Options::new(Keys::Unique).partitions(2)).await.unwrap();
        let mut downs = Vec::new();
        for i in 0..200u32 {
            let r = reg.clone();
            let (pid, m) = spawn_monitor(async move {
                r.register(i, ()).unwrap();
                if i % 2 == 0 {
                    panic!("gone at once");
                }
            });
            if i % 3 == 0 {
                exit(pid, ExitReason::Kill);
            }
            downs.push(m);
        }
        for m in downs {
            down(m).await;
        }
        eventually("every entry is gone", || reg.count() == 0).await;
        assert!(reg.select(|k, _, _| Some(*k)).is_empty());
    }
);

girder_test!(
    /// A process registering many keys across partitions: all listed, some
    /// unregistered, the rest removed when it exits.
    one_process_many_keys,
    async {
        let reg: Registry<u32, u32> =
            Registry::start_link(Options::new(Keys::Unique).partitions(8)).await.unwrap();
        let r = reg.clone();
        let (pid, m) = registrant(move || async move {
            for k in 0..2_000 {
                r.register(k, k).unwrap();
            }
            for k in (0..2_000).step_by(2) {
                r.unregister(&k);
            }
        })
        .await;
        assert_eq!(reg.count(), 1_000);
        assert_eq!(sorted(reg.keys(pid)), (1..2_000).step_by(2).collect::<Vec<_>>());
        assert_eq!(reg.lookup(&7), [(pid, 7)]);
        assert!(reg.lookup(&8).is_empty());
        send(pid, Stop);
        down(m).await;
        eventually("all 1,000 entries are gone", || reg.count() == 0).await;
        assert!(reg.keys(pid).is_empty());
    }
);

girder_test!(
    /// A registrant is linked to a partition while it has entries there, and
    /// unlinked once it has none (Elixir unlinks too).
    registrant_is_linked_only_while_it_has_entries,
    async {
        let reg = unique::<()>().await;
        let me = self_pid();
        let partition_links = || {
            let sup = reg.pid();
            process_info(me)
                .unwrap()
                .links
                .into_iter()
                .filter(|p| *p != sup)
                .count()
        };
        assert_eq!(partition_links(), 0);
        reg.register("a", ()).unwrap();
        assert_eq!(partition_links(), 1);
        reg.unregister(&"a");
        assert_eq!(partition_links(), 0);
        reg.register("a", ()).unwrap();
        assert_eq!(partition_links(), 1);
    }
);

// ---------------------------------------------------------- partitions

girder_test!(
    /// The default number of partitions is the number of schedulers.
    partitions_default_to_schedulers,
    async {
        let reg = unique::<()>().await;
        assert_eq!(reg.partitions(), Handle::current().schedulers());
        let reg8 = duplicate::<()>(8).await;
        assert_eq!(reg8.partitions(), 8);
        // The supervisor is linked to the owner and to each partition.
        let links = process_info(reg8.pid()).unwrap().links;
        assert_eq!(links.len(), 1 + 8);
        assert!(links.contains(&self_pid()));
    }
);

/// 10,000 processes register in a registry of 8 partitions, a third exit
/// while others still register, then all exit at once; at every step the
/// registry holds exactly the live processes' entries, and at the end
/// nothing.
async fn stress(keys: Keys) {
    const N: u32 = 10_000;
    let reg: Registry<u32, u32> = Registry::start_link(Options::new(keys).partitions(8))
        .await
        .unwrap();
    let topic = Registry::<&str, ()>::start_link(Options::new(Keys::Duplicate).partitions(8))
        .await
        .unwrap();
    let me = self_pid();
    let mut procs = Vec::with_capacity(N as usize);
    for i in 0..N {
        let (r, t) = (reg.clone(), topic.clone());
        let (pid, m) = spawn_monitor(async move {
            r.register(i, i).unwrap();
            r.register(N + i, i).unwrap();
            t.register("all", ()).unwrap();
            send(me, Ready(self_pid()));
            match i % 3 {
                0 => {}
                1 => panic!("early exit"),
                _ => {
                    receive::<Stop>().await;
                }
            }
        });
        procs.push((i, pid, m));
    }
    for _ in 0..N {
        receive::<Ready>().await;
    }
    // The early ones are gone; the others are all there.
    let mut early = 0;
    for &(_, _, m) in procs.iter().filter(|(i, ..)| i % 3 != 2) {
        down(m).await;
        early += 1;
    }
    let live: Vec<_> = procs.iter().filter(|(i, ..)| i % 3 == 2).collect();
    eventually("the early exits are cleaned up", || {
        reg.count() == 2 * live.len() && topic.count() == live.len()
    })
    .await;
    assert_eq!(early + live.len(), N as usize);
    for &&(i, pid, _) in &live {
        assert_eq!(reg.lookup(&i), [(pid, i)]);
        assert_eq!(sorted(reg.keys(pid)), [i, N + i]);
    }
    // All the rest exit at once, through the pubsub.
    let mut reached = 0;
    topic.dispatch(&"all", |subs| {
        for (pid, ()) in subs {
            send(*pid, Stop);
            reached += 1;
        }
    });
    assert_eq!(reached, live.len());
    for &&(_, _, m) in &live {
        down(m).await;
    }
    eventually("every entry is gone", || {
        reg.count() == 0 && topic.count() == 0
    })
    .await;
    assert!(reg.select(|k, _, _| Some(*k)).is_empty());
    assert!(topic.lookup(&"all").is_empty());
    for &(i, pid, _) in &procs {
        assert!(reg.lookup(&i).is_empty());
        assert!(reg.keys(pid).is_empty());
    }
    // The partitions hold no links to the dead either.
    for p in process_info(reg.pid()).unwrap().links {
        if p != me {
            assert_eq!(process_info(p).unwrap().links, [reg.pid()], "partition {p}");
        }
    }
}

girder_test!(
    /// `partitions`: 8 partitions, 10k unique registrants.
    stress_unique_8_partitions_10k_processes,
    stress(Keys::Unique)
);

girder_test!(
    /// `partitions`: 8 partitions, 10k duplicate registrants.
    stress_duplicate_8_partitions_10k_processes,
    stress(Keys::Duplicate)
);

// ------------------------------------------------------------- lifecycle

#[derive(Debug)]
struct Handles(Registry<&'static str, ()>, Pid, Pid);

girder_test!(
    /// When the owner exits, the registry stops with the owner's reason:
    /// its tables are empty and refuse registrations, and registrants are
    /// sent `Shutdown` by their partition (as in Elixir, where they are
    /// linked to it).
    owner_exit_stops_the_registry,
    async {
        let me = self_pid();
        let owner = spawn(async move {
            let reg = unique::<()>().await;
            reg.register("owner", ()).unwrap();
            let r = reg.clone();
            let plain = spawn(async move {
                r.register("plain", ()).unwrap();
                receive::<Stop>().await;
            });
            let r = reg.clone();
            let trapper = spawn(async move {
                trap_exit(true);
                r.register("trapper", ()).unwrap();
                let e = receive::<Exit>().await;
                send(me, e);
            });
            eventually("both registrants registered", || reg.count() == 3).await;
            send(me, Handles(reg, plain, trapper));
            receive::<Stop>().await;
            ExitReason::other("boom")
        });
        let Handles(reg, plain, trapper) = receive::<Handles>().await;
        let (m_reg, m_plain, m_trapper) = (monitor(reg.pid()), monitor(plain), monitor(trapper));
        send(owner, Stop);
        let d = down(m_reg).await;
        assert_eq!(d.reason, ExitReason::other("boom"), "the owner's reason");
        assert_eq!(reg.count(), 0, "tables are closed once the registry's exit is seen");
        assert!(reg.lookup(&"owner").is_empty());
        assert_eq!(reg.register("late", ()), Err(RegisterError::NotRunning));
        assert_eq!(down(m_plain).await.reason, ExitReason::Shutdown);
        let e = receive::<Exit>().await;
        assert_eq!(e.reason, ExitReason::Shutdown);
        assert_eq!(down(m_trapper).await.reason, ExitReason::Normal);
    }
);

girder_test!(
    /// A partition that dies takes the whole registry down (Elixir's
    /// registry supervisor is one_for_all without restarts); the owner gets
    /// `Shutdown`.
    partition_exit_stops_the_registry,
    async {
        trap_exit(true);
        let reg = duplicate::<()>(4).await;
        reg.register("k", ()).unwrap();
        let sup = reg.pid();
        let m = monitor(sup);
        let partitions: Vec<Pid> =
            process_info(sup).unwrap().links.into_iter().filter(|p| *p != self_pid()).collect();
        assert_eq!(partitions.len(), 4);
        exit(partitions[1], ExitReason::Kill);
        assert_eq!(down(m).await.reason, ExitReason::Shutdown);
        let e = receive_match(move |e: &Exit| e.from == sup).await;
        assert_eq!(e.reason, ExitReason::Shutdown);
        for p in partitions {
            assert!(!is_process_alive(p), "the registry's exit comes after its partitions'");
        }
        assert_eq!(reg.count(), 0);
        assert_eq!(reg.register("k", ()), Err(RegisterError::NotRunning));
    }
);

girder_test!(
    /// `Registry::start` is not linked: the registry outlives its starter
    /// and stops when killed.
    start_is_not_linked_to_the_caller,
    async {
        trap_exit(true);
        let me = self_pid();
        let (starter, m) = spawn_monitor(async move {
            let reg = Registry::<&str, u32>::start(Keys::Unique).await.unwrap();
            send(me, reg);
        });
        let reg = receive::<Registry<&str, u32>>().await;
        down(m).await;
        let _ = starter;
        assert!(is_process_alive(reg.pid()));
        reg.register("k", 1).unwrap();
        assert_eq!(reg.lookup(&"k"), [(me, 1)]);
        let m = monitor(reg.pid());
        exit(reg.pid(), ExitReason::Kill);
        assert_eq!(down(m).await.reason, ExitReason::Killed);
        // The partitions follow their supervisor, each closing its table;
        // we are linked to one of them.
        let e = receive::<Exit>().await;
        assert_eq!(e.reason, ExitReason::Killed);
        eventually("the registry refuses registrations", || {
            reg.register("x", 0) == Err(RegisterError::NotRunning)
        })
        .await;
        assert_eq!(reg.count(), 0);
    }
);

girder_test!(
    /// `name:` — the registry is found by name (and the name resolves to
    /// its pid), a second registry under the name is refused, and a lookup
    /// with other types finds nothing.
    named_registry,
    async {
        let reg: Registry<&str, u32> =
            Registry::start_link(Options::new(Keys::Unique).name("my_registry")).await.unwrap();
        assert_eq!(reg.name(), Some("my_registry"));
        assert_eq!(girder::whereis("my_registry"), Some(reg.pid()));
        reg.register("k", 1).unwrap();
        let found = Registry::<&str, u32>::whereis("my_registry").await.unwrap();
        assert_eq!(found.pid(), reg.pid());
        assert_eq!(found.lookup(&"k"), [(self_pid(), 1)]);
        assert!(Registry::<&str, u64>::whereis("my_registry").await.is_none());
        assert!(Registry::<&str, u32>::whereis("nobody").await.is_none());
        let again = Registry::<&str, u32>::start_link(Options::new(Keys::Duplicate).name("my_registry")).await;
        assert_eq!(again.unwrap_err(), StartError::AlreadyStarted(reg.pid()));
        assert!(is_process_alive(reg.pid()), "the first registry is untouched");
        // A caller that traps exits gets the error, not also an `Exit`.
        trap_exit(true);
        let again = Registry::<&str, u32>::start_link(Options::new(Keys::Unique).name("my_registry")).await;
        assert_eq!(again.unwrap_err(), StartError::AlreadyStarted(reg.pid()));
        let stray = receive::<Exit>().timeout(Duration::from_millis(50)).await;
        assert_eq!(stray, None);
    }
);

girder_test!(
    /// `meta`: given at start, read, put and deleted.
    meta_put_and_delete,
    async {
        let reg: Registry<&str, ()> = Registry::start_link(
            Options::new(Keys::Unique).meta("custom_key", "custom_value").meta("n", 1u32),
        )
        .await
        .unwrap();
        assert_eq!(reg.meta::<&str>("custom_key"), Some("custom_value"));
        assert_eq!(reg.meta::<u32>("n"), Some(1));
        assert_eq!(reg.meta::<u64>("n"), None, "another type");
        assert_eq!(reg.meta::<u32>("unknown"), None);
        reg.put_meta("n", 2u32);
        reg.put_meta("list", vec![1, 2, 3]);
        let r = reg.clone();
        spawn(async move { r.put_meta("from_other", true) });
        eventually("the other process's meta is visible", || reg.meta::<bool>("from_other").is_some()).await;
        assert_eq!(reg.meta::<u32>("n"), Some(2));
        assert_eq!(reg.meta::<Vec<i32>>("list"), Some(vec![1, 2, 3]));
        reg.delete_meta("n");
        assert_eq!(reg.meta::<u32>("n"), None);
    }
);

// ------------------------------------------------------------------- via

girder_test!(
    /// `via`: `register_name` from the process being named, `whereis_name`
    /// from anywhere, `unregister_name`; taken names refused; the name freed
    /// when its process dies.
    via_name_is_held_while_its_process_lives,
    async {
        let reg = unique::<()>().await;
        let name: RegistryVia<&str, ()> = reg.via("worker");
        assert_eq!(name.key(), &"worker");
        assert_eq!(name.whereis_name(), None);
        let n = name.clone();
        let (worker, m) = registrant(move || async move {
            assert!(n.register_name(self_pid()));
        })
        .await;
        assert_eq!(name.whereis_name(), Some(worker));
        assert_eq!(Name::via(name.clone()).whereis(), Some(worker));
        let me = self_pid();
        assert!(!name.register_name(me), "taken");
        assert!(!reg.via("other").register_name(worker), "only the caller may be named");
        assert_eq!(reg.via("other").whereis_name(), None);
        exit(worker, ExitReason::Kill);
        down(m).await;
        assert_eq!(name.whereis_name(), None, "free once its holder died");
        assert!(name.register_name(me));
        assert_eq!(name.whereis_name(), Some(me));
        name.unregister_name();
        assert_eq!(name.whereis_name(), None);
        assert!(format!("{name:?}").contains("worker"));
    }
);

girder_test!(
    /// `via` with a value (`{:via, Registry, {reg, key, value}}`).
    via_with_registers_the_value,
    async {
        let reg = unique::<u32>().await;
        let name = reg.via_with("counter", 42);
        assert!(name.register_name(self_pid()));
        assert_eq!(reg.lookup(&"counter"), [(self_pid(), 42)]);
    }
);

girder_test!(
    /// `via` is only for unique registries (Elixir raises).
    #[should_panic(expected = "unique keys")]
    via_on_a_duplicate_registry_panics,
    async {
        let reg = duplicate::<()>(1).await;
        let _ = reg.via("k");
    }
);

/// A counter server for the `via` GenServer test.
struct Counter(u64);

impl GenServer for Counter {
    type Call = ();
    type Reply = u64;
    type Cast = ();
    type Continue = ();

    async fn handle_call(&mut self, (): (), _from: ReplyTo<u64>) -> Reply<u64> {
        self.0 += 1;
        Reply::reply(self.0)
    }

    async fn handle_cast(&mut self, (): ()) -> Action {
        Action::Noreply
    }
}

girder_test!(
    /// `via`: "using via" — a GenServer named through the registry: called
    /// by name, a second start refused with the holder's pid, the name
    /// released when the server stops.
    via_names_a_gen_server,
    async {
        let reg = unique::<()>().await;
        let opts = || gen_server::Options::new().name(Name::via(reg.via("counter")));
        let server = Server::start_link_with(Counter(0), opts()).await.unwrap();
        let pid = server.whereis().expect("the server runs");
        let by_name = Server::<Counter>::named(Name::via(reg.via("counter")));
        assert_eq!(by_name.call(()).await.unwrap(), 1);
        assert_eq!(by_name.whereis(), Some(pid));
        assert_eq!(reg.lookup(&"counter"), [(pid, ())]);
        match Server::start_link_with(Counter(0), opts()).await {
            Err(ServerStartError::AlreadyStarted(holder)) => assert_eq!(holder, pid),
            other => panic!("expected AlreadyStarted, got {other:?}"),
        }
        server.stop(ExitReason::Normal, PATIENCE).await.unwrap();
        assert!(reg.lookup(&"counter").is_empty());
        eventually("the server's entry is gone", || reg.count() == 0).await;
        let again = Server::start_link_with(Counter(0), opts()).await.unwrap();
        assert_eq!(by_name.call(()).await.unwrap(), 1);
        assert_eq!(by_name.whereis(), again.whereis());
    }
);

// ------------------------------------------------------------ auto traits

#[test]
fn registry_types_are_send_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn clone<T: Clone>() {}
    send_sync::<Registry<String, Vec<u8>>>();
    send_sync::<RegistryVia<String, Vec<u8>>>();
    send_sync::<RegisterError>();
    send_sync::<StartError>();
    send_sync::<Options>();
    clone::<Registry<String, Vec<u8>>>();
    clone::<RegistryVia<String, Vec<u8>>>();
}
