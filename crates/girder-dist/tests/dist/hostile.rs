//! Hostile peers: garbage, a wrong cookie, a 4 GiB frame length, a
//! half-finished handshake, a deeply nested term, silence. Each gets its
//! connection closed with a logged reason, and the node goes on serving
//! other peers.

use std::sync::Arc;
use std::time::Duration;

use girder_dist::handshake::{self, HandshakeError, Local};
use girder_dist::{Cookie, DistFlags, Event, Events, Node, NodeDownReason, NodeName, events};
use girder_term::{ExternalPid, Term, encode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::util::{Logs, PATIENCE, config, free_port};

const COOKIE: &str = "cookie";

struct Fixture {
    node: Node,
    events: Events,
    epmd_port: u16,
}

async fn fixture(
    tweak: impl FnOnce(girder_dist::NodeConfig) -> girder_dist::NodeConfig,
) -> Fixture {
    let epmd_port = free_port();
    let (handler, events) = events();
    let node = Node::start(tweak(
        config("girder@127.0.0.1", COOKIE, epmd_port).handler(Arc::new(handler)),
    ))
    .await
    .unwrap();
    Fixture {
        node,
        events,
        epmd_port,
    }
}

fn evil() -> NodeName {
    NodeName::parse("evil@127.0.0.1").unwrap()
}

fn local(cookie: &str) -> Local {
    Local {
        name: evil(),
        creation: 77,
        flags: DistFlags::GIRDER,
        cookie: Cookie::new(cookie).unwrap(),
    }
}

/// A raw peer that completed the handshake with the node.
async fn handshaken(node: &Node) -> TcpStream {
    let mut s = TcpStream::connect(node.listen_addr()).await.unwrap();
    handshake::initiate(&mut s, &local(COOKIE), node.name())
        .await
        .unwrap();
    s
}

/// Reads until the node closes the socket; panics if it does not in time.
async fn closed_by_node(s: &mut TcpStream) {
    let mut buf = vec![0u8; 4096];
    let read_all = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_all)
        .await
        .expect("the node did not close the connection");
}

async fn node_down(events: &mut Events, node: &NodeName) -> NodeDownReason {
    let wait = async {
        loop {
            match events.recv().await {
                Some(Event::NodeDown { node: n, reason }) if &n == node => return reason,
                Some(_) => {}
                None => panic!("events ended"),
            }
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .expect("no node down in time")
}

/// A well-behaved Girder node connects and the two see each other.
async fn still_serves(f: &Fixture) {
    let good = Node::start(config("good@127.0.0.1", COOKIE, f.epmd_port))
        .await
        .unwrap();
    good.connect(f.node.name()).await.unwrap();
    assert!(f.node.nodes().contains(good.name()));
}

fn send_name_message(name: &str) -> Vec<u8> {
    let mut body = vec![b'N'];
    body.extend_from_slice(&DistFlags::GIRDER.bits().to_be_bytes());
    body.extend_from_slice(&5u32.to_be_bytes());
    body.extend_from_slice(&(name.len() as u16).to_be_bytes());
    body.extend_from_slice(name.as_bytes());
    let mut msg = (body.len() as u16).to_be_bytes().to_vec();
    msg.extend(body);
    msg
}

/// A pass-through frame: 112, then each term with its version byte.
fn pass_through(control: &Term, payload: Option<&[u8]>) -> Vec<u8> {
    let mut body = vec![112];
    body.extend(encode(control).unwrap());
    if let Some(p) = payload {
        body.extend_from_slice(p);
    }
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend(body);
    frame
}

#[tokio::test]
async fn garbage_before_the_handshake() {
    let (logs, _guard) = Logs::capture();
    let f = fixture(|c| c).await;
    // A well-framed message that is not send_name.
    let mut s = TcpStream::connect(f.node.listen_addr()).await.unwrap();
    s.write_all(&[0, 5, b'h', b'e', b'l', b'l', b'o'])
        .await
        .unwrap();
    closed_by_node(&mut s).await;
    logs.wait_for(&["incoming handshake failed", "expected send_name"])
        .await;
    // Noise, then the end of the stream.
    let mut s = TcpStream::connect(f.node.listen_addr()).await.unwrap();
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..5000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    s.write_all(&noise).await.unwrap();
    s.shutdown().await.unwrap();
    closed_by_node(&mut s).await;
    logs.wait_for(&["incoming handshake failed", "handshake connection failed"])
        .await;
    still_serves(&f).await;
}

#[tokio::test]
async fn garbage_after_the_handshake() {
    let (logs, _guard) = Logs::capture();
    let mut f = fixture(|c| c).await;
    let mut s = handshaken(&f.node).await;
    s.write_all(&[0, 0, 0, 3, 1, 2, 3]).await.unwrap();
    closed_by_node(&mut s).await;
    let reason = node_down(&mut f.events, &evil()).await;
    assert!(
        matches!(&reason, NodeDownReason::Protocol(r) if r.contains("neither pass-through")),
        "{reason}"
    );
    logs.wait_for(&["connection closed", "evil@127.0.0.1", "protocol violation"])
        .await;
    // A frame that decodes but is no control message.
    let mut s = handshaken(&f.node).await;
    s.write_all(&pass_through(&Term::tuple([Term::Integer(99)]), None))
        .await
        .unwrap();
    closed_by_node(&mut s).await;
    let reason = node_down(&mut f.events, &evil()).await;
    assert!(
        reason.to_string().contains("unknown operation 99"),
        "{reason}"
    );
    still_serves(&f).await;
}

#[tokio::test]
async fn wrong_cookie() {
    let (logs, _guard) = Logs::capture();
    let f = fixture(|c| c).await;
    let mut s = TcpStream::connect(f.node.listen_addr()).await.unwrap();
    let err = handshake::initiate(&mut s, &local("not-the-cookie"), f.node.name())
        .await
        .unwrap_err();
    assert!(
        matches!(err, HandshakeError::CookieRejected { .. }),
        "{err}"
    );
    logs.wait_for(&[
        "incoming handshake failed",
        "evil@127.0.0.1",
        "cookie differs",
    ])
    .await;
    assert!(f.node.nodes().is_empty());
    still_serves(&f).await;
}

#[tokio::test]
async fn frame_length_of_4_gib() {
    let (logs, _guard) = Logs::capture();
    let mut f = fixture(|c| c).await;
    let mut s = handshaken(&f.node).await;
    s.write_all(&[0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
        .await
        .unwrap();
    closed_by_node(&mut s).await;
    let reason = node_down(&mut f.events, &evil()).await;
    assert!(
        reason
            .to_string()
            .contains("frame of 4294967295 bytes exceeds the limit of 67108864 bytes"),
        "{reason}"
    );
    logs.wait_for(&["connection closed", "4294967295"]).await;
    still_serves(&f).await;
}

#[tokio::test]
async fn half_finished_handshake() {
    let (logs, _guard) = Logs::capture();
    let f = fixture(|c| c.handshake_timeout(Duration::from_millis(300))).await;
    // One peer stops after its name, one never says anything.
    let mut named = TcpStream::connect(f.node.listen_addr()).await.unwrap();
    named
        .write_all(&send_name_message("evil@127.0.0.1"))
        .await
        .unwrap();
    let mut mute = TcpStream::connect(f.node.listen_addr()).await.unwrap();
    // While they hang, others are served.
    still_serves(&f).await;
    closed_by_node(&mut named).await;
    closed_by_node(&mut mute).await;
    logs.wait_for(&["incoming handshake timed out", "evil@127.0.0.1"])
        .await;
    logs.wait_for(&["incoming handshake timed out", "peer=(no name yet)"])
        .await;
    // The timed-out attempt left nothing behind: evil may connect properly.
    let _s = handshaken(&f.node).await;
    assert!(f.node.nodes().contains(&evil()));
}

#[tokio::test]
async fn deeply_nested_term() {
    let (logs, _guard) = Logs::capture();
    let mut f = fixture(|c| c).await;
    let mut s = handshaken(&f.node).await;
    let to = ExternalPid {
        node: f.node.name().atom().clone(),
        id: 1,
        serial: 0,
        creation: f.node.creation(),
    };
    let control = Term::tuple([Term::Integer(2), Term::atom(""), Term::Pid(to)]);
    // [[[[...]]]] 100,000 deep: LIST_EXT of one element, 100,000 times.
    let mut payload = vec![131];
    for _ in 0..100_000 {
        payload.extend_from_slice(&[108, 0, 0, 0, 1]);
    }
    payload.push(106);
    payload.extend(std::iter::repeat_n(106u8, 100_000));
    s.write_all(&pass_through(&control, Some(&payload)))
        .await
        .unwrap();
    closed_by_node(&mut s).await;
    let reason = node_down(&mut f.events, &evil()).await;
    assert!(reason.to_string().contains("max_depth"), "{reason}");
    logs.wait_for(&["connection closed", "evil@127.0.0.1", "max_depth"])
        .await;
    still_serves(&f).await;
}

#[tokio::test]
async fn silent_peer_is_dropped_after_the_net_tick_time() {
    let (logs, _guard) = Logs::capture();
    let mut f = fixture(|c| c.net_tick_time(Duration::from_millis(400))).await;
    let mut s = handshaken(&f.node).await;
    let start = tokio::time::Instant::now();
    // The node ticks to us (zero-length frames) while we stay silent.
    let mut ticks = 0;
    let mut buf = [0u8; 4];
    let read_ticks = async {
        while s.read_exact(&mut buf).await.is_ok() {
            assert_eq!(buf, [0; 4], "only ticks are expected");
            ticks += 1;
        }
    };
    tokio::time::timeout(PATIENCE, read_ticks)
        .await
        .expect("the node did not close the silent connection");
    assert!(ticks >= 1, "no tick arrived");
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!(
        node_down(&mut f.events, &evil()).await,
        NodeDownReason::TickTimeout
    );
    logs.wait_for(&["connection closed", "net tick timeout"])
        .await;
    still_serves(&f).await;
}
