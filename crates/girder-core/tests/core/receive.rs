//! Selective receive: order, predicates, timeouts, the `receive!` macro and
//! the receive-mark optimisation.

use std::time::{Duration, Instant};

use girder_core::{
    Pid, Ref, make_ref, process_info, receive, receive_match, self_pid, send, spawn, yield_now,
};

#[derive(Debug, PartialEq)]
struct A(u32);
#[derive(Debug, PartialEq)]
struct B(u32);

girder_test!(
    /// Taking a message of one type leaves the others in arrival order.
    selective_receive_keeps_order,
    async {
        let me = self_pid();
        send(me, A(1));
        send(me, B(1));
        send(me, A(2));
        send(me, B(2));
        assert_eq!(receive::<B>().await, B(1));
        assert_eq!(receive::<A>().await, A(1));
        assert_eq!(receive::<A>().await, A(2));
        assert_eq!(receive::<B>().await, B(2));
    }
);

girder_test!(
    /// A predicate skips non-matching messages of the right type too.
    receive_match_by_predicate,
    async {
        let me = self_pid();
        for i in 0..10 {
            send(me, A(i));
        }
        assert_eq!(receive_match(|a: &A| a.0 == 7).await, A(7));
        for i in (0..10).filter(|&i| i != 7) {
            assert_eq!(receive::<A>().await, A(i));
        }
    }
);

girder_test!(
    /// A receive that waits wakes for a matching message sent later, and
    /// ignores non-matching ones sent meanwhile.
    receive_waits_for_a_match,
    async {
        let me = self_pid();
        spawn(async move {
            for i in 0..100 {
                send(me, B(i));
            }
            send(me, A(42));
        });
        assert_eq!(receive::<A>().await, A(42));
        for i in 0..100 {
            assert_eq!(receive::<B>().await, B(i));
        }
    }
);

girder_test!(
    receive_timeout_returns_none_then_messages_still_arrive,
    async {
        let t = Instant::now();
        assert_eq!(
            receive::<A>().timeout(Duration::from_millis(30)).await,
            None
        );
        assert!(t.elapsed() >= Duration::from_millis(30));
        send(self_pid(), A(1));
        assert_eq!(receive::<A>().timeout(Duration::ZERO).await, Some(A(1)));
        assert_eq!(receive::<A>().timeout(Duration::ZERO).await, None);
    }
);

girder_test!(
    receive_macro_picks_first_matching_arm_in_arrival_order,
    async {
        let me = self_pid();
        send(me, "skip me");
        send(me, B(5));
        send(me, A(3));
        let mut got = Vec::new();
        for _ in 0..2 {
            girder_core::receive! {
                A: A(n) if *n > 1 => got.push(format!("A{n}")),
                B: B(n) => got.push(format!("B{n}")),
                after Duration::from_secs(5) => panic!("timeout"),
            }
        }
        assert_eq!(got, ["B5", "A3"]);
        let r = girder_core::receive! {
            A: _a => 1,
            after Duration::from_millis(10) => 2,
        };
        assert_eq!(r, 2);
        assert_eq!(receive::<&str>().await, "skip me");
    }
);

#[derive(Debug)]
struct Request(Pid, Ref);
#[derive(Debug)]
struct Reply(Ref, u64);

girder_test!(
    /// A call answered by reference with 100,000 unrelated messages queued
    /// examines only the messages that arrived after the reference was made.
    ref_tagged_receive_skips_100k_queued_messages,
    async {
        let me = self_pid();
        let server = spawn(async {
            loop {
                let Request(from, r) = receive::<Request>().await;
                send(from, Reply(r, 99));
            }
        });
        for i in 0..100_000u32 {
            send(me, i);
        }
        // Pull them all into the mailbox (one yield handles the queue).
        yield_now().await;
        let before = process_info(me).expect("alive").reductions;
        let t = Instant::now();
        for _ in 0..100 {
            let r = make_ref();
            send(server, Request(me, r));
            let Reply(_, v) = receive_match(move |m: &Reply| m.0 == r).since(r).await;
            assert_eq!(v, 99);
        }
        yield_now().await;
        let spent = process_info(me).expect("alive").reductions - before;
        // 100 calls × (a send + a few messages examined), not 100 × 100k.
        assert!(spent < 10_000, "spent {spent} reductions");
        assert!(t.elapsed() < crate::PATIENCE);
        assert_eq!(process_info(me).expect("alive").message_queue_len, 100_000);
        girder_core::exit(server, girder_core::ExitReason::Kill);
    }
);

girder_test!(
    /// `after 0` always looks at the mailbox, even when the process has just
    /// spent its time slice (it yields first, then looks).
    zero_timeout_sees_queued_messages_after_a_spent_slice,
    async {
        let me = self_pid();
        for i in 0..10_000u32 {
            send(me, i);
        }
        girder_core::bump_reductions(girder_core::SLICE);
        let mut n = 0;
        while receive::<u32>().timeout(Duration::ZERO).await.is_some() {
            n += 1;
        }
        assert_eq!(n, 10_000);
        send(me, 1u8);
        girder_core::bump_reductions(girder_core::SLICE);
        let r = girder_core::receive! {
            u8: v => Some(v),
            after Duration::ZERO => None,
        };
        assert_eq!(r, Some(1));
    }
);
