//! The local registry: conflicts, release on exit, sends by name. After OTP
//! `erl_bif_SUITE`/`process_SUITE` register cases.

use girder_core::{
    Down, ExitReason, Pid, RegisterError, exit, receive, receive_match, register, registered,
    self_pid, send_named, spawn, spawn_monitor, unregister, whereis,
};

girder_test!(register_whereis_send_named, async {
    let me = self_pid();
    register("root", me).expect("free name");
    assert_eq!(whereis("root"), Some(me));
    assert!(registered().contains(&"root".to_string()));
    send_named("root", 5u16).expect("registered");
    assert_eq!(receive::<u16>().await, 5);
});

girder_test!(register_conflicts, async {
    let me = self_pid();
    let other = spawn(async {
        receive::<()>().await;
    });
    register("a", me).expect("free");
    assert_eq!(
        register("a", other),
        Err(RegisterError::NameTaken {
            name: "a".into(),
            holder: me
        })
    );
    assert_eq!(
        register("b", me),
        Err(RegisterError::AlreadyRegistered {
            pid: me,
            name: "a".into()
        })
    );
    let (dead, m) = spawn_monitor(async {});
    receive_match(move |d: &Down| d.monitor == m).await;
    assert_eq!(
        register("c", dead),
        Err(RegisterError::NoProc { pid: dead })
    );
    assert_eq!(
        register("d", Pid::from_parts(3, 1, 0)),
        Err(RegisterError::NoProc {
            pid: Pid::from_parts(3, 1, 0)
        })
    );
    assert!(unregister("a"));
    assert!(!unregister("a"));
    register("b", me).expect("name released by unregister");
    exit(other, ExitReason::Kill);
});

girder_test!(
    /// A name is released when its process exits, and can be taken again.
    names_are_released_on_exit,
    async {
        let (p, m) = spawn_monitor(async {
            register("worker", self_pid()).expect("free");
            receive::<()>().await;
        });
        // Wait until it has registered.
        while whereis("worker").is_none() {
            girder_core::yield_now().await;
        }
        assert_eq!(whereis("worker"), Some(p));
        exit(p, ExitReason::Kill);
        receive_match(move |d: &Down| d.monitor == m).await;
        assert_eq!(whereis("worker"), None);
        register("worker", self_pid()).expect("name is free again");
    }
);

girder_test!(
    /// Sending to an unregistered name is an error that returns the message.
    send_to_unknown_name_is_an_error,
    async {
        let err = send_named("nobody", String::from("payload")).unwrap_err();
        assert_eq!(err.name, "nobody");
        assert_eq!(err.message, "payload");
        assert!(err.to_string().contains("nobody"));
    }
);

/// `Handle::whereis` sees the registry from a thread no runtime owns (the
/// distribution layer's reader tasks resolve `{Name, Node} ! Msg` with it).
#[test]
fn handle_whereis_from_outside() {
    let rt = girder_core::Runtime::builder()
        .schedulers(1)
        .build()
        .expect("runtime");
    let handle = rt.handle().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = handle.spawn(async move {
        register("from_outside", self_pid()).expect("free name");
        tx.send(()).expect("test alive");
        receive::<()>().await;
    });
    rx.recv_timeout(crate::PATIENCE).expect("registered");
    assert_eq!(handle.whereis("from_outside"), Some(pid));
    assert_eq!(handle.whereis("nobody"), None);
    handle.send(pid, ());
}
