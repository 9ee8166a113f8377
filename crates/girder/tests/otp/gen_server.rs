//! GenServer: start protocol, calls, casts, infos, timeouts, continue,
//! deferred replies, stop and terminate. After OTP `gen_server_SUITE`
//! (`start`, `call_remote1`, `cast`, `info`, `hibernate`→no, `continue`,
//! `call_with_huge_message_queue`, `stop1..stop10`, `otp_5854`,
//! `call_timeout`, `undef_in_terminate`) and Elixir's `GenServerTest`.

use std::time::Duration;

use girder::otp::gen_server::{
    Action, CallError, GenServer, INFINITY, Info, Init, Options, Reply, ReplyTo, Server, StartError,
};
use girder::prelude::*;

use crate::PATIENCE;

/// A test server. `observer` gets a note of each interesting callback.
struct Probe {
    observer: Pid,
    init: InitMode,
    count: u64,
    pending: Vec<ReplyTo<Answer>>,
}

#[derive(Clone, Copy)]
enum InitMode {
    Ok,
    Stop,
    Ignore,
    Panic,
    Timeout(Duration),
    Continue,
    TrapExits,
    Slow,
}

#[derive(Debug)]
enum Ask {
    Get,
    Add(u64),
    /// Reply later, when a `Release` cast comes.
    Defer,
    /// Stop with a reply.
    StopReply,
    /// Stop without a reply.
    StopNoReply,
    Panic,
    /// Reply after `Duration` of sleeping.
    Slow(Duration),
    /// How many callers wait for a deferred reply.
    Pending,
}

#[derive(Debug, PartialEq)]
enum Answer {
    Count(u64),
    Released(u64),
    Bye,
}

#[derive(Debug)]
enum Tell {
    Add(u64),
    Release,
    Stop,
    Panic,
}

/// What the probe tells its observer.
#[derive(Debug, PartialEq)]
enum Note {
    Terminated(ExitReason),
    Timeout,
    Continued(u64),
    Info(String),
    Exit(Pid, ExitReason),
    Down(Pid, ExitReason),
}

impl Probe {
    fn new(init: InitMode) -> Probe {
        Probe {
            observer: self_pid(),
            init,
            count: 0,
            pending: Vec::new(),
        }
    }
}

impl GenServer for Probe {
    type Call = Ask;
    type Reply = Answer;
    type Cast = Tell;
    type Continue = u64;

    async fn init(&mut self) -> Init<u64> {
        match self.init {
            InitMode::Ok => Init::Ok,
            InitMode::Stop => Init::Stop(ExitReason::other("bad_config")),
            InitMode::Ignore => Init::Ignore,
            InitMode::Panic => panic!("init blew up"),
            InitMode::Timeout(d) => Init::Timeout(d),
            InitMode::Continue => Init::Continue(7),
            InitMode::TrapExits => {
                trap_exit(true);
                Init::Ok
            }
            InitMode::Slow => {
                sleep(Duration::from_secs(3600)).await;
                Init::Ok
            }
        }
    }

    async fn handle_call(&mut self, ask: Ask, from: ReplyTo<Answer>) -> Reply<Answer, u64> {
        match ask {
            Ask::Get => Reply::reply(Answer::Count(self.count)),
            Ask::Add(n) => {
                self.count += n;
                Reply::reply(Answer::Count(self.count))
            }
            Ask::Defer => {
                self.pending.push(from);
                Reply::noreply()
            }
            Ask::StopReply => Reply::stop_with_reply(ExitReason::other("asked"), Answer::Bye),
            Ask::StopNoReply => Reply::stop(ExitReason::other("asked")),
            Ask::Panic => panic!("handle_call blew up"),
            Ask::Slow(d) => {
                sleep(d).await;
                Reply::reply(Answer::Count(self.count))
            }
            Ask::Pending => Reply::reply(Answer::Count(self.pending.len() as u64)),
        }
    }

    async fn handle_cast(&mut self, tell: Tell) -> Action<u64> {
        match tell {
            Tell::Add(n) => {
                self.count += n;
                Action::Noreply
            }
            Tell::Release => {
                for from in self.pending.drain(..) {
                    from.reply(Answer::Released(self.count));
                }
                Action::Noreply
            }
            Tell::Stop => Action::Stop(ExitReason::Shutdown),
            Tell::Panic => panic!("handle_cast blew up"),
        }
    }

    async fn handle_info(&mut self, info: Info) -> Action<u64> {
        let note = match info {
            Info::Timeout => Note::Timeout,
            Info::Exit(e) => Note::Exit(e.from, e.reason),
            Info::Down(d) => Note::Down(d.pid, d.reason),
            Info::Message(m) => match m.downcast::<&'static str>() {
                Ok(s) => Note::Info(s.to_string()),
                Err(_) => Note::Info("?".to_string()),
            },
            _ => Note::Info("unknown info".to_string()),
        };
        send(self.observer, note);
        Action::Noreply
    }

    async fn handle_continue(&mut self, c: u64) -> Action<u64> {
        self.count += c;
        send(self.observer, Note::Continued(c));
        Action::Noreply
    }

    async fn terminate(&mut self, reason: &ExitReason) {
        send(self.observer, Note::Terminated(reason.clone()));
    }
}

async fn note() -> Note {
    receive::<Note>()
        .timeout(PATIENCE)
        .await
        .expect("a note from the server")
}

fn queue_len() -> usize {
    process_info(self_pid())
        .map(|i| i.message_queue_len)
        .unwrap_or(0)
}

girder_test!(
    /// `start_link`, calls and casts in order (gen_server_SUITE `start`, `cast`).
    call_and_cast,
    async {
        let s = Server::start_link(Probe::new(InitMode::Ok)).await.unwrap();
        s.cast(Tell::Add(40));
        assert_eq!(s.call(Ask::Add(2)).await, Ok(Answer::Count(42)));
        assert_eq!(s.call(Ask::Get).await, Ok(Answer::Count(42)));
        assert!(is_process_alive(s.whereis().unwrap()));
    }
);

girder_test!(
    /// `init` returning stop: the start fails with the reason, the process
    /// is gone, and a trapping caller has no stray exit message left.
    init_stop,
    async {
        trap_exit(true);
        let err = Server::start_link(Probe::new(InitMode::Stop)).await.unwrap_err();
        assert_eq!(err, StartError::Stopped(ExitReason::other("bad_config")));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// `init` returning ignore: no server, no error exit.
    init_ignore,
    async {
        let err = Server::start_link(Probe::new(InitMode::Ignore)).await.unwrap_err();
        assert_eq!(err, StartError::Ignore);
    }
);

girder_test!(
    /// A panic in `init` comes back as the start's error.
    init_panic,
    async {
        trap_exit(true);
        let err = Server::start_link(Probe::new(InitMode::Panic)).await.unwrap_err();
        match err {
            StartError::Stopped(ExitReason::Panic(msg)) => assert!(msg.contains("init blew up")),
            other => panic!("unexpected {other:?}"),
        }
    }
);

girder_test!(
    /// A start timeout kills the slow server and says so.
    init_timeout,
    async {
        trap_exit(true);
        let opts = Options::new().name("slow").timeout(Duration::from_millis(20));
        let err = Server::start_link_with(Probe::new(InitMode::Slow), opts).await.unwrap_err();
        assert_eq!(err, StartError::Timeout);
        assert_eq!(whereis("slow"), None, "the killed server's name is free");
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// Names: a second start under a taken name fails with the holder's pid;
    /// calls by name resolve; the name is released when the server stops.
    named_servers,
    async {
        let opts = Options::new().name("counter");
        let s = Server::start_with(Probe::new(InitMode::Ok), opts.clone()).await.unwrap();
        let pid = s.whereis().unwrap();
        let again = Server::start_with(Probe::new(InitMode::Ok), opts).await.unwrap_err();
        assert_eq!(again, StartError::AlreadyStarted(pid));
        let by_name = Server::<Probe>::named("counter");
        assert_eq!(by_name.call(Ask::Add(5)).await, Ok(Answer::Count(5)));
        by_name.stop(ExitReason::Normal, PATIENCE).await.unwrap();
        assert_eq!(whereis("counter"), None);
        match by_name.call(Ask::Get).await {
            Err(CallError::NoProc { server }) => assert_eq!(server, "counter"),
            other => panic!("unexpected {other:?}"),
        }
        // A cast to a name nobody holds is not an error.
        by_name.cast(Tell::Add(1));
    }
);

girder_test!(
    /// A call to a dead pid fails at once with noproc, not after a timeout.
    call_dead_server_is_noproc,
    async {
        let (dead, m) = spawn_monitor(async {});
        receive_match(move |d: &Down| d.monitor == m).await;
        let s = Server::<Probe>::from_pid(dead);
        let err = s.call_timeout(Ask::Get, INFINITY).await.unwrap_err();
        assert!(matches!(err, CallError::NoProc { .. }), "{err:?}");
        assert_eq!(queue_len(), 0, "no DOWN left behind");
    }
);

girder_test!(
    /// A server that dies while handling the call: the caller gets its exit
    /// reason at once (gen_server_SUITE `call_remote_n3` intent).
    server_dies_during_call,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let pid = s.whereis().unwrap();
        match s.call_timeout(Ask::Panic, INFINITY).await {
            Err(CallError::Exit { server, reason: ExitReason::Panic(msg) }) => {
                assert_eq!(server, pid);
                assert!(msg.contains("handle_call blew up"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let err = s.call(Ask::StopNoReply).await.unwrap_err();
        assert_eq!(err.exit_reason(), ExitReason::other("asked"));
    }
);

girder_test!(
    /// A call that times out returns `Timeout`, and the reply the server
    /// sends later never reaches the caller's mailbox (OTP's alias rule).
    call_timeout_drops_late_reply,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let err = s.call_timeout(Ask::Defer, Duration::from_millis(10)).await.unwrap_err();
        assert!(matches!(err, CallError::Timeout { .. }), "{err:?}");
        // The server replies now; the call after it is ordered behind the
        // late reply, so once it returns the late reply has been handled.
        s.cast(Tell::Release);
        assert_eq!(s.call(Ask::Get).await, Ok(Answer::Count(0)));
        assert_eq!(queue_len(), 0, "the late reply was dropped");
        // Same with a slow handler.
        let err = s
            .call_timeout(Ask::Slow(Duration::from_millis(50)), Duration::from_millis(5))
            .await
            .unwrap_err();
        assert!(matches!(err, CallError::Timeout { .. }));
        assert_eq!(s.call(Ask::Get).await, Ok(Answer::Count(0)));
        assert_eq!(queue_len(), 0);
    }
);

girder_test!(
    /// Deferred replies: `noreply` now, `from.reply` later, to several
    /// waiting callers (gen_server_SUITE `otp_5854`-style).
    deferred_reply,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let me = self_pid();
        for _ in 0..3 {
            let s = s.clone();
            spawn(async move {
                let answer = s.call(Ask::Defer).await;
                send(me, answer);
            });
        }
        // Wait until all three are parked in the server, then release.
        while s.call(Ask::Pending).await != Ok(Answer::Count(3)) {
            yield_now().await;
        }
        s.cast(Tell::Add(5));
        s.cast(Tell::Release);
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(receive::<Result<Answer, CallError>>().await);
        }
        for a in answers {
            assert_eq!(a, Ok(Answer::Released(5)));
        }
    }
);

girder_test!(
    /// `stop` runs `terminate` with the reason and waits for the exit.
    stop_runs_terminate,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        s.stop(ExitReason::other("bye"), PATIENCE).await.unwrap();
        assert_eq!(note().await, Note::Terminated(ExitReason::other("bye")));
        let again = s.stop(ExitReason::Normal, PATIENCE).await.unwrap_err();
        assert!(matches!(again, CallError::NoProc { .. }));
    }
);

girder_test!(
    /// `Action::Stop` from a cast and `stop_with_reply` from a call: terminate
    /// runs, then the reply goes out, then the process exits.
    stop_from_callbacks,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let m = monitor(s.whereis().unwrap());
        s.cast(Tell::Stop);
        assert_eq!(note().await, Note::Terminated(ExitReason::Shutdown));
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::Shutdown);

        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        assert_eq!(s.call(Ask::StopReply).await, Ok(Answer::Bye));
        assert_eq!(note().await, Note::Terminated(ExitReason::other("asked")));
    }
);

girder_test!(
    /// The inactivity timeout: no message within the time → `Info::Timeout`.
    inactivity_timeout,
    async {
        let _s = Server::start(Probe::new(InitMode::Timeout(Duration::from_millis(5))))
            .await
            .unwrap();
        assert_eq!(note().await, Note::Timeout);
    }
);

girder_test!(
    /// `Init::Continue` runs `handle_continue` before the first message.
    continue_after_init,
    async {
        let s = Server::start(Probe::new(InitMode::Continue)).await.unwrap();
        assert_eq!(s.call(Ask::Get).await, Ok(Answer::Count(7)));
        assert_eq!(note().await, Note::Continued(7));
    }
);

girder_test!(
    /// A trapping server told to shut down by its parent runs `terminate`
    /// and exits with the parent's reason (supervisor shutdown).
    parent_shutdown_runs_terminate_when_trapping,
    async {
        trap_exit(true);
        let s = Server::start_link(Probe::new(InitMode::TrapExits)).await.unwrap();
        let pid = s.whereis().unwrap();
        let m = monitor(pid);
        exit(pid, ExitReason::Shutdown);
        assert_eq!(note().await, Note::Terminated(ExitReason::Shutdown));
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::Shutdown);
    }
);

girder_test!(
    /// A server that does not trap exits dies from the shutdown signal
    /// without running `terminate`, as in OTP.
    shutdown_without_trap_skips_terminate,
    async {
        trap_exit(true);
        let s = Server::start_link(Probe::new(InitMode::Ok)).await.unwrap();
        let pid = s.whereis().unwrap();
        let m = monitor(pid);
        exit(pid, ExitReason::Shutdown);
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(d.reason, ExitReason::Shutdown);
        assert_eq!(receive::<Note>().timeout(Duration::from_millis(20)).await, None);
    }
);

girder_test!(
    /// Raw messages, trapped exits from others, and DOWNs go to handle_info.
    infos,
    async {
        let s = Server::start(Probe::new(InitMode::TrapExits)).await.unwrap();
        let pid = s.whereis().unwrap();
        send(pid, "hello");
        assert_eq!(note().await, Note::Info("hello".into()));
        let me = self_pid();
        exit(pid, ExitReason::other("poke"));
        assert_eq!(note().await, Note::Exit(me, ExitReason::other("poke")));
        assert!(is_process_alive(pid));
    }
);

girder_test!(
    /// A panic in a callback runs terminate with the panic, then the
    /// process exits with it.
    panic_runs_terminate,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let m = monitor(s.whereis().unwrap());
        s.cast(Tell::Panic);
        match note().await {
            Note::Terminated(ExitReason::Panic(msg)) => assert!(msg.contains("handle_cast blew up")),
            other => panic!("unexpected {other:?}"),
        }
        let d = receive_match(move |d: &Down| d.monitor == m).await;
        assert!(matches!(d.reason, ExitReason::Panic(_)));
    }
);

girder_test!(
    /// A process cannot call itself.
    calling_self,
    async {
        let s = Server::<Probe>::from_pid(self_pid());
        assert_eq!(s.call(Ask::Get).await, Err(CallError::CallingSelf));
    }
);

girder_test!(
    /// Calls with 10,000 unrelated messages queued work and leave those
    /// messages in place, in order (gen_server_SUITE
    /// `call_with_huge_message_queue`; that the wait skips them is the
    /// receive-mark test of girder-core and the `call_by_ref` benchmark).
    call_with_huge_message_queue,
    async {
        let s = Server::start(Probe::new(InitMode::Ok)).await.unwrap();
        let me = self_pid();
        for i in 0..10_000u32 {
            send(me, i);
        }
        for _ in 0..200 {
            assert_eq!(s.call(Ask::Get).await, Ok(Answer::Count(0)));
        }
        assert_eq!(queue_len(), 10_000);
        for i in 0..10_000u32 {
            assert_eq!(receive::<u32>().await, i);
        }
    }
);
