//! Messages between girder processes and Erlang processes through the
//! runtime bridge: sends to pids and to registered names both ways, serde
//! values, and the errors a send that cannot be carried out returns.

use girder::{receive, self_pid};
use girder_dist::DistSendError;
use girder_term::Term;
use tokio::sync::mpsc;

use crate::util::{girder_and_erl, have_erlang, next};

/// erl → `{inbox, g}` (registered send, carrying erl's pid); girder → that
/// pid (core `send` of a `Term`, carrying our pid); erl → our pid; girder →
/// `{shell, e}` (registered send).
#[tokio::test]
async fn pid_and_registered_sends_both_ways() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("inbox", self_pid()).unwrap();
        tx.send("registered".into()).unwrap();
        let hello = receive::<Term>().await;
        tx.send(hello.to_string()).unwrap();
        let Some([_, from]) = hello.as_tagged("hello", 2) else {
            return;
        };
        let Some(from) = node.pid_of(from) else {
            tx.send("no pid".into()).unwrap();
            return;
        };
        tx.send(format!("local: {}", from.is_local())).unwrap();
        let me = node.pid_term(self_pid()).unwrap();
        girder::send(from, Term::tuple([Term::atom("reply"), me]));
        let direct = receive::<Term>().await;
        tx.send(direct.to_string()).unwrap();
        node.send_to("shell", &e, &Term::atom("by_name")).unwrap();
    });
    assert_eq!(next(&mut rx).await, "registered");
    assert_eq!(
        erl.eval("{inbox, 'g@127.0.0.1'} ! {hello, self()}, ok.")
            .await,
        "ok"
    );
    let hello = next(&mut rx).await;
    assert!(hello.starts_with("{hello,<'e@127.0.0.1'."), "{hello}");
    assert_eq!(next(&mut rx).await, "local: false");
    assert_eq!(
        erl.eval("receive {reply, P} -> put(g, P), node(P) after 10000 -> timeout end.")
            .await,
        "'g@127.0.0.1'"
    );
    assert_eq!(erl.eval("get(g) ! {direct, [1,2,3]}, ok.").await, "ok");
    assert_eq!(next(&mut rx).await, "{direct,[1,2,3]}");
    assert_eq!(
        erl.eval("receive by_name -> got after 10000 -> timeout end.")
            .await,
        "got"
    );
}

#[derive(serde::Serialize)]
struct Order {
    id: u32,
    item: String,
}

/// `DistNode::send` and `send_to` carry serde values (a struct arrives as a
/// map with atom keys); a value with no term form, an unregistered local
/// name and a name that is no atom are errors; a non-term sent with core's
/// `send` to a remote pid is dropped (logged), and everything else arrives
/// in order.
#[tokio::test]
async fn serde_values_arrive_and_unsendable_ones_are_errors() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        girder::register("inbox", self_pid()).unwrap();
        tx.send("registered".into()).unwrap();
        let shell = receive::<Term>().await;
        let Some(shell) = node.pid_of(&shell) else {
            tx.send("no pid".into()).unwrap();
            return;
        };
        let tea = Order {
            id: 7,
            item: "tea".into(),
        };
        let outcomes = [
            node.send_to("shell", &e, &tea).map_err(|e| e.to_string()),
            node.send(shell, &f64::NAN).map_err(|e| match e {
                DistSendError::Serialize(_) => "serialize".to_string(),
                e => e.to_string(),
            }),
            {
                // No term form: dropped with a warning, never reaches erl.
                girder::send(shell, 5u32);
                Ok(())
            },
            node.send(
                shell,
                &Order {
                    id: 8,
                    item: "jam".into(),
                },
            )
            .map_err(|e| e.to_string()),
            node.send_to("nobody", node.name(), &1)
                .map_err(|e| match e {
                    DistSendError::NotRegistered { name } => format!("not registered {name}"),
                    e => e.to_string(),
                }),
            node.send_to(&"x".repeat(300), &e, &1).map_err(|e| match e {
                DistSendError::BadName { .. } => "bad name".to_string(),
                e => e.to_string(),
            }),
            node.send(shell, &Term::atom("done"))
                .map_err(|e| e.to_string()),
        ];
        tx.send(format!("{outcomes:?}")).unwrap();
    });
    assert_eq!(next(&mut rx).await, "registered");
    assert_eq!(erl.eval("{inbox, 'g@127.0.0.1'} ! self(), ok.").await, "ok");
    assert_eq!(
        next(&mut rx).await,
        r#"[Ok(()), Err("serialize"), Ok(()), Ok(()), Err("not registered nobody"), Err("bad name"), Ok(())]"#
    );
    let got = erl
        .eval(
            "C = fun L(Acc) -> receive done -> lists:reverse(Acc); M -> L([M | Acc]) after 10000 -> timeout end end, \
             case C([]) of [#{id := 7, item := <<\"tea\">>}, #{id := 8, item := <<\"jam\">>}] -> ok; Other -> {unexpected, Other} end.",
        )
        .await;
    assert_eq!(got, "ok");
}

/// erl sends to a girder process's alias (`ALIAS_SEND`): delivered while
/// the alias is active, dropped once the process has called `unalias`.
#[tokio::test]
async fn erl_sends_through_a_girder_alias() {
    if !have_erlang() {
        return;
    }
    let (g, mut erl, e) = girder_and_erl().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let node = g.node.clone();
    g.spawn(async move {
        let alias = girder::alias();
        let me = node.pid_term(self_pid()).unwrap();
        let alias_term = node.alias_term(alias).unwrap();
        node.send_to("shell", &e, &Term::tuple([alias_term, me]))
            .unwrap();
        let first = receive::<Term>().await;
        girder::unalias(alias);
        tx.send(format!("{first} unaliased")).unwrap();
        // erl sends `late` through the alias, then `direct` to the pid.
        let next = receive::<Term>().await;
        tx.send(next.to_string()).unwrap();
    });
    assert_eq!(
        erl.eval("{A, P} = receive {_, _} = M -> M after 10000 -> timeout end, put(a, A), put(p, P), A ! through_alias, is_reference(A).")
            .await,
        "true"
    );
    assert_eq!(next(&mut rx).await, "through_alias unaliased");
    assert_eq!(erl.eval("get(a) ! late, get(p) ! direct, ok.").await, "ok");
    assert_eq!(next(&mut rx).await, "direct");
}
