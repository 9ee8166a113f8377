//! `girder demo dist`: if one server fails, another takes over the work.
//! Three girder nodes on loopback (with the embedded EPMD) run a singleton
//! service on exactly one of them; a client on the last node uses it; the
//! node running it is killed, the next node in the list starts it, and
//! the client reaches the new instance. Then again.

use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use girder::otp::supervisor::ChildSpec;
use girder::term::Term;
use girder::{Runtime, receive, self_pid};
use girder_dist::failover::{Options, Singleton};
use girder_dist::pg::{self, PgEvent, Scope};
use girder_dist::{Cookie, DistNode, NodeConfig, NodeName};

use super::report::{duration, line, row, section};
use super::{DemoError, PATIENCE, Result, check};

/// Failover across nodes: three girder nodes on loopback run one
/// supervised service between them; the node running it is killed, and
/// the next node takes over the work, twice.
///
/// Each node is a girder runtime in this process with its own distribution
/// node (`girder_dist`), connected over TCP on 127.0.0.1 through an
/// embedded EPMD on a free port: the same protocol as Erlang nodes. Every
/// node runs a `failover::Singleton` for the service `tickets` with the
/// priority list [a, b, c] and a `pg` scope; the service runs on the first
/// live node, under a local supervisor, and is found through its `pg`
/// group. A client on node c takes tickets from it. Killing a node stops
/// its distribution and its runtime: the others see the connection drop
/// (`noconnection`), and the next node in the list starts the service.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct DistArgs {}

const SERVICE: &str = "tickets";

/// One node of the demo.
struct DemoNode {
    rt: Option<Runtime>,
    node: DistNode,
    scope: Scope,
    _singleton: Singleton,
}

impl DemoNode {
    fn name(&self) -> String {
        self.node.name().to_string()
    }

    /// Kills the node: distribution stops (peers see the connection drop),
    /// then its runtime with every process on it.
    fn kill(&mut self) {
        self.node.stop();
        if let Some(rt) = self.rt.take() {
            rt.shutdown();
        }
    }

    fn block_on<T: Send + 'static>(
        &self,
        body: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let rt = self
            .rt
            .as_ref()
            .ok_or_else(|| DemoError::new("the node was killed"))?;
        rt.block_on(body)
            .map_err(|reason| DemoError::new(format!("a demo process exited with {reason}")))?
    }
}

/// The service: hands out tickets numbered from 1 (its state is its own:
/// a new instance starts from 1 again, as a restarted OTP application
/// does). Answers `{From, ticket}` with `{ticket, N, Node}`. Reports each
/// start.
fn service(node: DistNode, started: std_mpsc::Sender<(String, Instant)>) -> ChildSpec {
    ChildSpec::process(SERVICE, move || {
        let node = node.clone();
        let started = started.clone();
        async move {
            let _ = started.send((node.name().to_string(), Instant::now()));
            let mut issued = 0i64;
            loop {
                let t = receive::<Term>().await;
                let Some([from, what]) = t.as_tuple() else {
                    continue;
                };
                let Some(from) = node.pid_of(from) else {
                    continue;
                };
                if what.is_atom("ticket") {
                    issued += 1;
                    let me = Term::atom(node.name().as_str());
                    girder::send(
                        from,
                        Term::tuple([Term::atom("ticket"), Term::Integer(issued), me]),
                    );
                }
            }
        }
    })
}

fn start_node(
    name: &str,
    epmd_port: u16,
    list: &[NodeName],
    started: &std_mpsc::Sender<(String, Instant)>,
) -> Result<DemoNode> {
    let err =
        |what: &str, e: &dyn std::fmt::Display| DemoError::new(format!("{name}: {what}: {e}"));
    let alive = name.split('@').next().unwrap_or(name).to_owned();
    let rt = Runtime::builder()
        .schedulers(1)
        .name(format!("girder-{alive}"))
        .build()
        .map_err(|e| err("cannot start the runtime", &e))?;
    let handle = rt.handle().clone();
    let config = NodeConfig::new(name)
        .map_err(|e| err("bad node name", &e))?
        .cookie(Cookie::new("girder-demo").map_err(|e| err("bad cookie", &e))?)
        .epmd_port(epmd_port);
    let options = Options::new(SERVICE, list.to_vec());
    let started = started.clone();
    let name = name.to_owned();
    let (node, scope, singleton) = rt
        .block_on(async move {
            let node = girder_dist::start(&handle, config)
                .await
                .map_err(|e| DemoError::new(format!("{name}: distribution: {e}")))?;
            let scope = pg::start(&handle, &node)
                .await
                .map_err(|e| DemoError::new(format!("{name}: pg: {e}")))?;
            let child = service(node.clone(), started);
            let singleton = Singleton::start(&handle, &node, &scope, options, child)
                .await
                .map_err(|e| DemoError::new(format!("{name}: singleton: {e}")))?;
            Ok::<_, DemoError>((node, scope, singleton))
        })
        .map_err(|r| DemoError::new(format!("node start exited with {r}")))??;
    Ok(DemoNode {
        rt: Some(rt),
        node,
        scope,
        _singleton: singleton,
    })
}

/// From a process on `client`: waits until the service's group has a
/// member on a node not in `dead`, then takes a ticket from it. Returns
/// the answer's ticket number and node.
fn take_ticket(client: &DemoNode, dead: Vec<String>) -> Result<(i64, String)> {
    let scope = client.scope.clone();
    let node = client.node.clone();
    client.block_on(async move {
        let group = pg::atom(SERVICE);
        let (monitor, _) = scope
            .monitor(group.clone())
            .await
            .map_err(|e| DemoError::new(format!("pg: {e}")))?;
        let deadline = Instant::now() + PATIENCE;
        let target = loop {
            let live = scope.get_members(&group).into_iter().find(|p| {
                node.external_pid(*p)
                    .is_some_and(|e| !dead.iter().any(|d| d == e.node.as_str()))
            });
            if let Some(pid) = live {
                break pid;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            girder::receive_match(move |e: &PgEvent| e.monitor == monitor)
                .timeout(left)
                .await
                .ok_or_else(|| DemoError::new("no node took the service over in time"))?;
        };
        let _ = scope.demonitor(monitor).await;
        let me = node
            .pid_term(self_pid())
            .ok_or_else(|| DemoError::new("no term for the client's pid"))?;
        girder::send(target, Term::tuple([me, Term::atom("ticket")]));
        let reply = receive::<Term>()
            .timeout(PATIENCE)
            .await
            .ok_or_else(|| DemoError::new("the service did not answer"))?;
        match reply.as_tuple() {
            Some([tag, n, at]) if tag.is_atom("ticket") => Ok((
                n.as_i64().unwrap_or(-1),
                at.as_atom().unwrap_or("?").to_owned(),
            )),
            _ => Err(DemoError::new(format!("unexpected answer {reply}"))),
        }
    })
}

/// The number of instances the client's node sees once the group has
/// settled: a stopped node's member is dropped when its DOWN reaches the
/// client's scope, which may be just after the new instance's join.
/// Waits (on the group's events, at most [`PATIENCE`]) for one.
fn settled_members(client: &DemoNode) -> Result<usize> {
    let scope = client.scope.clone();
    client.block_on(async move {
        let group = pg::atom(SERVICE);
        let (monitor, _) = scope
            .monitor(group.clone())
            .await
            .map_err(|e| DemoError::new(format!("pg: {e}")))?;
        let deadline = Instant::now() + PATIENCE;
        let count = loop {
            let count = scope.get_members(&group).len();
            let left = deadline.saturating_duration_since(Instant::now());
            if count == 1
                || girder::receive_match(move |e: &PgEvent| e.monitor == monitor)
                    .timeout(left)
                    .await
                    .is_none()
            {
                break count;
            }
        };
        let _ = scope.demonitor(monitor).await;
        Ok(count)
    })
}

/// The next start of the service, or an error after [`PATIENCE`].
fn next_start(started: &std_mpsc::Receiver<(String, Instant)>) -> Result<(String, Instant)> {
    started
        .recv_timeout(PATIENCE)
        .map_err(|_| DemoError::new("the service did not start in time"))
}

/// Runs the dist part.
pub(crate) fn run(_args: &DistArgs) -> Result<()> {
    section("dist: if one server fails, another takes over the work");
    let epmd_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| DemoError::new(format!("no free port on 127.0.0.1: {e}")))?;
    let names = ["a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1"];
    let list: Vec<NodeName> = names
        .iter()
        .map(|n| NodeName::parse(n).map_err(|e| DemoError::new(e.to_string())))
        .collect::<Result<_>>()?;
    let (started_tx, started) = std_mpsc::channel();
    let mut nodes = Vec::new();
    for name in names {
        nodes.push(start_node(name, epmd_port, &list, &started_tx)?);
    }
    line(format!(
        "3 girder nodes on 127.0.0.1 (embedded EPMD on port {epmd_port}): {}",
        names.join(", ")
    ));
    line(format!(
        "each runs failover::Singleton \"{SERVICE}\" with priority [a, b, c]; a client on c takes tickets"
    ));
    println!();

    let (first, _) = next_start(&started)?;
    line(format!(
        "[start]    {SERVICE} runs on {first} (first live node of the list)"
    ));
    let client = 2;
    for _ in 0..3 {
        let (n, at) = take_ticket(&nodes[client], Vec::new())?;
        line(format!("[client c] ticket {n} from {at}"));
    }
    let mut dead = Vec::new();
    let mut order = vec![first.clone()];
    for victim in 0..2 {
        let name = nodes[victim].name();
        check(order.last() == Some(&name), || {
            format!("expected the service on {name}, it runs on {order:?}")
        })?;
        let killed_at = Instant::now();
        nodes[victim].kill();
        dead.push(name.clone());
        line(format!(
            "[kill]     node {name} killed (distribution and runtime stopped)"
        ));
        let (next, at) = next_start(&started)?;
        line(format!(
            "[failover] {SERVICE} started on {next}, {} after the kill",
            duration(at.saturating_duration_since(killed_at))
        ));
        order.push(next);
        let (n, from) = take_ticket(&nodes[client], dead.clone())?;
        line(format!(
            "[client c] ticket {n} from {from}: the client reached the new instance (its count starts again)"
        ));
        check(Some(&from) == order.last(), || {
            format!("the client was answered from {from}, not the new instance")
        })?;
    }
    // Nothing else may have started it: one instance at a time.
    let extra = started.recv_timeout(Duration::ZERO).ok();
    check(extra.is_none(), || {
        format!("an extra instance started: {extra:?}")
    })?;
    let members = settled_members(&nodes[client])?;
    println!();
    row("starts of the service", order.len(), order.join(" -> "));
    row(
        "instances running now",
        members,
        "exactly one, on the last live node",
    );
    check(order == names, || format!("the service ran on {order:?}"))?;
    check(members == 1, || format!("{members} instances in the group"))?;
    for node in &mut nodes {
        node.kill();
    }
    Ok(())
}
