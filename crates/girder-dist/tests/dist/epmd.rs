//! EPMD: our embedded server serves real `erl`; our client works against
//! the real `epmd`; registrations last as long as their connection.

use girder_dist::epmd::{self, EpmdError, EpmdServer, NodeEntry};
use girder_dist::{Node, StartError};

use crate::util::{Epmd, Erl, config, free_port, have_erlang, loopback, wait_until};

/// A real `erl -name a@127.0.0.1` registers with our embedded server; its
/// entry is what OTP 25 registers; the name goes when `erl` dies.
#[tokio::test]
async fn embedded_server_serves_a_real_erl() {
    if !have_erlang() {
        return;
    }
    let server = EpmdServer::bind(loopback(0)).await.unwrap();
    let addr = server.local_addr();
    let mut erl = Erl::start("a@127.0.0.1", "cookie", addr.port(), &[]).await;
    let entry = epmd::port_please(addr, "a")
        .await
        .unwrap()
        .expect("a registered");
    assert_eq!(
        (entry.name.as_str(), entry.node_type),
        ("a", epmd::NODE_TYPE_NORMAL)
    );
    assert_eq!((entry.highest_version, entry.lowest_version), (6, 5));
    assert!(entry.port > 0);
    assert_eq!(server.nodes(), std::slice::from_ref(&entry));
    assert_eq!(
        epmd::names(addr).await.unwrap(),
        [("a".to_owned(), entry.port)]
    );
    // erl's own view through our server: net_adm:names/0 (NAMES_REQ).
    let names = erl.eval("net_adm:names().").await;
    assert_eq!(names, format!("{{ok,[{{[97],{}}}]}}", entry.port));
    // Its creation came from us (ALIVE2_X_RESP): 32 bits, not 0..3.
    let creation: u64 = erl
        .eval("erlang:system_info(creation).")
        .await
        .parse()
        .unwrap();
    assert!(creation >= 4, "creation {creation}");
    erl.kill().await;
    let mut gone = false;
    for _ in 0..2000 {
        if epmd::port_please(addr, "a").await.unwrap().is_none() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(gone, "a is still registered after erl died");
    assert!(server.nodes().is_empty());
}

/// Our client against `epmd -port P`: register (held while the
/// registration lives), port_please, names, a name clash; and it finds a
/// real `erl` registered there.
#[tokio::test]
async fn client_works_against_real_epmd() {
    if !have_erlang() {
        return;
    }
    let epmd_proc = Epmd::start().await;
    let addr = loopback(epmd_proc.port);
    let reg = epmd::register(addr, &NodeEntry::new("girder", 12345))
        .await
        .unwrap();
    assert_ne!(reg.creation(), 0);
    assert!(
        epmd_proc
            .names_via_cli()
            .await
            .contains("name girder at port 12345"),
        "epmd -names does not list girder"
    );
    let found = epmd::port_please(addr, "girder").await.unwrap().unwrap();
    assert_eq!((found.port, found.highest_version), (12345, 6));
    assert!(epmd::port_please(addr, "nobody").await.unwrap().is_none());

    let clash = epmd::register(addr, &NodeEntry::new("girder", 12346)).await;
    let err = clash.expect_err("a second girder must be refused");
    assert!(matches!(err, EpmdError::NameTaken { .. }), "{err}");
    assert!(err.to_string().contains("already registered"), "{err}");

    let _erl = Erl::start("b@127.0.0.1", "cookie", epmd_proc.port, &[]).await;
    let b = epmd::port_please(addr, "b")
        .await
        .unwrap()
        .expect("b registered");
    assert_eq!((b.highest_version, b.lowest_version), (6, 5));
    let mut names = epmd::names(addr).await.unwrap();
    names.sort();
    assert_eq!(
        names,
        [("b".to_owned(), b.port), ("girder".to_owned(), 12345)]
    );

    drop(reg);
    let mut gone = false;
    for _ in 0..2000 {
        if epmd::port_please(addr, "girder").await.unwrap().is_none() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(gone, "dropping the registration did not unregister");
}

/// The embedded server: `ALIVE2_RESP` (16-bit creation) for a version-5
/// node, a clash, and the name freed when its connection closes.
#[tokio::test]
async fn embedded_server_registrations() {
    let server = EpmdServer::bind(loopback(0)).await.unwrap();
    let addr = server.local_addr();
    let mut old = NodeEntry::new("old", 1000);
    old.highest_version = 5;
    old.lowest_version = 5;
    old.extra = b"xyz".to_vec();
    let reg_old = epmd::register(addr, &old).await.unwrap();
    assert!(reg_old.creation() <= 0xFFFF);
    assert_eq!(epmd::port_please(addr, "old").await.unwrap(), Some(old));
    let reg = epmd::register(addr, &NodeEntry::new("n", 1)).await.unwrap();
    let err = epmd::register(addr, &NodeEntry::new("n", 2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, EpmdError::NameTaken { ref name } if name == "n"),
        "{err}"
    );
    assert_ne!(reg.creation(), reg_old.creation());
    drop(reg);
    wait_until("n unregistered", || {
        !server.nodes().iter().any(|e| e.name == "n")
    })
    .await;
    let again = epmd::register(addr, &NodeEntry::new("n", 3)).await.unwrap();
    assert_eq!(epmd::port_please(addr, "n").await.unwrap().unwrap().port, 3);
    drop(again);
}

/// With nothing on the EPMD port, the first node starts the embedded
/// server and the second registers there; a second node of the same name
/// is refused; when the hosting node stops, the other hosts EPMD itself
/// and registers again.
#[tokio::test]
async fn nodes_share_the_embedded_server_and_take_it_over() {
    let port = free_port();
    let a = Node::start(config("a@127.0.0.1", "c", port)).await.unwrap();
    let b = Node::start(config("b@127.0.0.1", "c", port)).await.unwrap();
    let addr = loopback(port);
    let mut names = epmd::names(addr).await.unwrap();
    names.sort();
    assert_eq!(
        names,
        [
            ("a".to_owned(), a.listen_addr().port()),
            ("b".to_owned(), b.listen_addr().port())
        ]
    );
    let clash = Node::start(config("a@127.0.0.1", "c", port)).await;
    match clash {
        Err(e @ StartError::NameTaken { .. }) => {
            assert!(e.to_string().contains("in use by another node"), "{e}");
        }
        other => panic!("expected NameTaken, got {other:?}"),
    }
    drop(a);
    let b_port = b.listen_addr().port();
    let mut back = false;
    for _ in 0..2000 {
        if let Ok(Some(e)) = epmd::port_please(addr, "b").await {
            if e.port == b_port && epmd::port_please(addr, "a").await.ok().flatten().is_none() {
                back = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(back, "b did not take over EPMD after a stopped");
}
