//! process_info and processes.

use girder_core::{
    Status, link, process_info, processes, receive, register, self_pid, send, spawn, trap_exit,
};

girder_test!(process_info_reports_every_field, async {
    let me = self_pid();
    trap_exit(true);
    register("info_root", me).expect("free");
    let peer = spawn(async move {
        link(me);
        send(me, ());
        receive::<()>().await;
    });
    receive::<()>().await;
    send(me, 1u8);
    send(me, 2u8);
    let info = process_info(me).expect("alive");
    assert_eq!(info.pid, me);
    assert_eq!(info.status, Status::Running);
    assert_eq!(info.message_queue_len, 2);
    assert!(info.reductions > 0);
    assert!(
        info.memory > 0 && info.memory < 4096,
        "memory {}",
        info.memory
    );
    assert_eq!(info.links, vec![peer]);
    assert_eq!(info.registered_name.as_deref(), Some("info_root"));
    assert!(info.trap_exit);
    let peer_info = process_info(peer).expect("alive");
    assert_eq!(peer_info.status, Status::Waiting);
    assert!(peer_info.spawned_at >= info.spawned_at);
    assert!(processes().contains(&peer));
    assert!(processes().contains(&me));
});

girder_test!(
    /// An idle process waiting in receive is small.
    idle_process_memory_is_small,
    async {
        let me = self_pid();
        let p = spawn(async move {
            send(me, ());
            receive::<()>().await;
        });
        receive::<()>().await;
        let info = process_info(p).expect("alive");
        eprintln!("idle process memory: {} bytes", info.memory);
        assert!(info.memory <= 1024, "memory {}", info.memory);
        send(p, ());
    }
);
