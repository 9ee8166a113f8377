//! The fixtures every test uses: free ports, real `erl`/`epmd` children that
//! die with the test, a node configuration, polling with upper bounds, and
//! captured logs.

use std::io::Write;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use girder_dist::{Cookie, NodeConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// Upper bound for anything a test waits for.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

/// True if `erl` and `epmd` can be run. Under CI (`CI` set) a missing tool
/// fails the test; elsewhere the test is skipped with a note.
pub(crate) fn have_erlang() -> bool {
    have(&["erl", "epmd"])
}

/// True if every tool is on `PATH`; under CI a missing one fails the test.
pub(crate) fn have(tools: &[&str]) -> bool {
    for &tool in tools {
        let found = std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
        if !found {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "CI is set but `{tool}` is not installed (apt-get install erlang-base elixir)"
                );
            }
            eprintln!("note: skipping: `{tool}` is not installed");
            return false;
        }
    }
    true
}

/// A port that was free a moment ago on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

pub(crate) fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A node on 127.0.0.1 using the EPMD port `epmd_port`, with a short tick
/// and handshake time so that tests that wait for them stay short.
pub(crate) fn config(name: &str, cookie: &str, epmd_port: u16) -> NodeConfig {
    NodeConfig::new(name)
        .unwrap()
        .cookie(Cookie::new(cookie).unwrap())
        .epmd_port(epmd_port)
        .handshake_timeout(Duration::from_secs(5))
}

/// Polls `check` every 10 ms until it holds; panics after [`PATIENCE`].
pub(crate) async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check() {
        if tokio::time::Instant::now() > deadline {
            panic!("gave up waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The next node event; panics after [`PATIENCE`] so that no test hangs.
pub(crate) async fn recv(events: &mut girder_dist::Events) -> Option<girder_dist::Event> {
    tokio::time::timeout(PATIENCE, events.recv())
        .await
        .expect("no node event in time")
}

/// A child process killed when dropped (test passed or not), with its
/// stdout as lines.
pub(crate) struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::UnboundedReceiver<String>,
    name: String,
}

impl Proc {
    pub(crate) fn spawn(mut cmd: Command, name: &str) -> Proc {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        let label = name.to_owned();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                eprintln!("[{label}] {line}");
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            stdin: child.stdin.take(),
            child,
            lines,
            name: name.to_owned(),
        }
    }

    /// The next stdout line that starts with `prefix`, without it.
    pub(crate) async fn line_starting(&mut self, prefix: &str) -> String {
        let wait = async {
            while let Some(line) = self.lines.recv().await {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return Some(rest.to_owned());
                }
            }
            None
        };
        match tokio::time::timeout(PATIENCE, wait).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("{} exited before printing {prefix:?}", self.name),
            Err(_) => panic!("{} printed no {prefix:?} line in time", self.name),
        }
    }

    /// Kills the process and waits for it to be gone.
    pub(crate) async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The read-eval-print loop an `erl` child runs: one Erlang expression per
/// stdin line, its value printed as `=> ~w`.
const REPL: &str = r#"
ok = io:setopts([{encoding, unicode}]),
Loop = fun L() ->
    case io:get_line("") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            R = try
                    {ok, Ts, _} = erl_scan:string(Line),
                    {ok, Es} = erl_parse:parse_exprs(Ts),
                    {value, V, _} = erl_eval:exprs(Es, erl_eval:new_bindings()),
                    V
                catch C:E -> {caught, C, E}
                end,
            io:format("=> ~w~n", [R]),
            L()
    end
end,
io:format("=> ready~n"),
Loop().
"#;

/// A real Erlang node on 127.0.0.1 driven through its stdin.
pub(crate) struct Erl {
    proc: Proc,
}

impl Erl {
    /// Starts `erl -name NAME -setcookie COOKIE` with `ERL_EPMD_PORT`, never
    /// starting an `epmd` daemon of its own, listening on loopback only.
    pub(crate) async fn start(name: &str, cookie: &str, epmd_port: u16, extra: &[&str]) -> Erl {
        let mut cmd = Command::new("erl");
        cmd.args([
            "-name",
            name,
            "-setcookie",
            cookie,
            "-noshell",
            "-start_epmd",
            "false",
            "-kernel",
            "inet_dist_use_interface",
            "{127,0,0,1}",
        ])
        .args(extra)
        .args(["-eval", REPL])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .env_remove("ERL_EPMD_ADDRESS");
        let mut proc = Proc::spawn(cmd, name);
        assert_eq!(proc.line_starting("=> ").await, "ready");
        Erl { proc }
    }

    /// Evaluates one expression (one line, ending in `.`) and returns its
    /// value as `~w` prints it.
    pub(crate) async fn eval(&mut self, expr: &str) -> String {
        let stdin = self.proc.stdin.as_mut().expect("erl stdin");
        stdin
            .write_all(format!("{expr}\n").as_bytes())
            .await
            .expect("write to erl");
        stdin.flush().await.expect("flush erl stdin");
        self.proc.line_starting("=> ").await
    }

    /// Compiles and loads an Erlang module from `source` (so that a tight
    /// loop runs compiled, not through `erl_eval`). `module` must be the
    /// name in its `-module` attribute.
    pub(crate) async fn load_module(&mut self, module: &str, source: &str) {
        let dir = std::env::temp_dir().join(format!(
            "girder-dist-test-{}-{}",
            std::process::id(),
            self.proc.name
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join(format!("{module}.erl"));
        std::fs::write(&file, source).expect("write module source");
        let path = file.display().to_string();
        let loaded = self
            .eval(&format!(
                "{{ok, M, B}} = compile:file(\"{path}\", [binary, report]), \
                 {{module, M}} = code:load_binary(M, \"{path}\", B), M."
            ))
            .await;
        assert_eq!(loaded, module, "compiling {path}");
    }

    /// Kills the Erlang node.
    pub(crate) async fn kill(&mut self) {
        self.proc.kill().await;
    }
}

/// `epmd -port P` bound to 127.0.0.1, as a child process.
pub(crate) struct Epmd {
    _proc: Proc,
    pub(crate) port: u16,
}

impl Epmd {
    pub(crate) async fn start() -> Epmd {
        let port = free_port();
        let mut cmd = Command::new("epmd");
        cmd.args(["-port", &port.to_string()])
            .env("ERL_EPMD_ADDRESS", "127.0.0.1");
        let proc = Proc::spawn(cmd, "epmd");
        let mut up = false;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::time::Instant::now() < deadline {
            if tokio::net::TcpStream::connect(loopback(port)).await.is_ok() {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(up, "epmd -port {port} did not start listening");
        Epmd { _proc: proc, port }
    }

    /// Runs `epmd -port P -names` and returns its output.
    pub(crate) async fn names_via_cli(&self) -> String {
        let out = Command::new("epmd")
            .args(["-port", &self.port.to_string(), "-names"])
            .kill_on_drop(true)
            .output()
            .await
            .expect("epmd -names");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Log lines captured from this test's thread (tests run on a
/// current-thread runtime, so every task of the node logs here).
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

struct LogWriter(Logs);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        self.0.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Captures what `tracing` logs on this thread until the guard drops.
    pub(crate) fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits until a log line contains every one of `parts`.
    pub(crate) async fn wait_for(&self, parts: &[&str]) -> String {
        let mut found = String::new();
        wait_until(&format!("a log line with {parts:?}"), || {
            match self
                .text()
                .lines()
                .find(|l| parts.iter().all(|p| l.contains(p)))
            {
                Some(l) => {
                    found = l.to_owned();
                    true
                }
                None => false,
            }
        })
        .await;
        found
    }
}

/// A girder runtime that is a distributed node: the fixture of the bridge
/// tests. Its processes report to the test over tokio channels; dropping
/// it stops distribution, then the runtime.
pub(crate) struct Girder {
    pub(crate) node: girder_dist::DistNode,
    pub(crate) handle: girder::Handle,
    rt: Option<girder::Runtime>,
}

impl Girder {
    /// A two-scheduler runtime named after the node, distributed as
    /// `name` with the EPMD on `epmd_port` (started embedded if none runs).
    pub(crate) async fn start(name: &str, cookie: &str, epmd_port: u16) -> Girder {
        Girder::start_with(config(name, cookie, epmd_port)).await
    }

    pub(crate) async fn start_with(config: NodeConfig) -> Girder {
        let rt = girder::Runtime::builder()
            .schedulers(2)
            .name(config.name().alive().to_owned())
            .build()
            .expect("girder runtime starts");
        let handle = rt.handle().clone();
        let node = tokio::time::timeout(PATIENCE, girder_dist::start(&handle, config))
            .await
            .expect("distribution starts in time")
            .expect("distribution starts");
        Girder {
            node,
            handle,
            rt: Some(rt),
        }
    }

    /// Spawns a process running `body`.
    pub(crate) fn spawn<F>(&self, body: F) -> girder::Pid
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.handle.spawn(body)
    }
}

impl Drop for Girder {
    fn drop(&mut self) {
        self.node.stop();
        if let Some(rt) = self.rt.take() {
            rt.shutdown();
        }
    }
}

/// The next value on a test channel; panics after [`PATIENCE`].
pub(crate) async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("nothing reported in time")
        .expect("every reporter is gone")
}

/// A girder node `g@127.0.0.1` (with the embedded EPMD on a free port) and
/// a real `erl` node `e@127.0.0.1` registered there, connected, with the
/// erl REPL process registered as `shell`.
pub(crate) async fn girder_and_erl() -> (Girder, Erl, girder_dist::NodeName) {
    let port = free_port();
    let g = Girder::start("g@127.0.0.1", "c", port).await;
    let mut erl = Erl::start("e@127.0.0.1", "c", port, &[]).await;
    assert_eq!(erl.eval("net_adm:ping('g@127.0.0.1').").await, "pong");
    assert_eq!(erl.eval("register(shell, self()).").await, "true");
    (g, erl, girder_dist::NodeName::parse("e@127.0.0.1").unwrap())
}
