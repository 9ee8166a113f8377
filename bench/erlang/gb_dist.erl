%% Distribution over loopback, Erlang <-> Erlang (and the Erlang side of
%% Girder <-> Erlang). Args: [N, RoundTrips, Bytes].
%%
%% The message is {msg, I} (Bytes = 0) or {msg, I, Bin} with a Bytes-long
%% binary, the same on every system.
%%
%% run/1 is the driver, on node A (this VM, made a node on first use): it
%% starts node B with `peer` (same +S, loopback only, the EPMD of
%% ERL_EPMD_PORT) and there the server `gb_dist` (serve/0), then
%% * rate: A streams N messages to a sink on B, then `done`; the sink
%%   answers {ack, Count}. Messages per second from the first send to the
%%   ack.
%% * p50, p99: round trips of one message between A and an echo on B,
%%   each timed (after 1,000 warm-up round trips).
%%
%% peer/1 is a node for a Girder driver: `-run gb_dist peer GirderNode`
%% registers the server and tells `{gb_bench, GirderNode}` it is up; the
%% server also streams N messages to a Girder sink ({blast, To, N, Bytes}).
-module(gb_dist).
-export([run/1, peer/1, serve/0]).

-define(COOKIE, girder_bench).

run([N, R, Bytes]) ->
    B = peer_node(),
    Server = {gb_dist, B},
    Server ! {sink, self()},
    Sink = receive {ready, S} -> S after 30000 -> error(no_sink) end,
    T0 = gb:clock(),
    stream(Sink, N, Bytes),
    Sink ! done,
    Count = receive {ack, C} -> C after 600000 -> error(no_ack) end,
    Rate = N / ((gb:clock() - T0) / 1.0e9),
    N = Count,
    Server ! {echo, self()},
    Echo = receive {ready, E} -> E after 30000 -> error(no_echo) end,
    Bin = payload(Bytes),
    round_trips(Echo, min(R, 1000), Bin),
    Sorted = lists:sort(timed(Echo, R, Bin, [])),
    Echo ! done,
    receive done -> ok end,
    [{rate, Rate}, {p50, gb:percentile(Sorted, 50)}, {p99, gb:percentile(Sorted, 99)}].

%% Node B, started once per VM (the runs of one `erl` share it).
peer_node() ->
    case get(gb_dist_peer) of
        undefined ->
            ok = application:set_env(kernel, inet_dist_use_interface, {127,0,0,1}),
            {ok, _} = net_kernel:start(['gb_dist_a@127.0.0.1', longnames]),
            true = erlang:set_cookie(node(), ?COOKIE),
            S = integer_to_list(erlang:system_info(schedulers)),
            Dir = filename:dirname(code:which(?MODULE)),
            {ok, _Peer, Node} =
                peer:start_link(#{name => gb_dist_b, host => "127.0.0.1", longnames => true,
                                  args => ["-setcookie", atom_to_list(?COOKIE),
                                           "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
                                           "+S", S ++ ":" ++ S, "-pa", Dir]}),
            Self = self(),
            Pid = spawn(Node, fun() ->
                                      register(gb_dist, self()),
                                      Self ! {up, self()},
                                      serve()
                              end),
            receive {up, Pid} -> ok after 30000 -> error(no_server) end,
            put(gb_dist_peer, Node),
            Node;
        Node -> Node
    end.

%% The Erlang node of a Girder driver: `-run gb_dist peer GirderNode`.
peer([GirderNode]) ->
    G = list_to_atom(GirderNode),
    Server = spawn(fun serve/0),
    register(gb_dist, Server),
    true = net_kernel:connect_node(G),
    monitor_node(G, true),
    {gb_bench, G} ! {up, Server},
    receive {nodedown, G} -> halt(0) end.

%% The server on node B: a sink, an echo, or a streamer.
serve() ->
    receive
        {sink, From} -> From ! {ready, self()}, sink(From, 0);
        {echo, From} -> From ! {ready, self()}, echo(From);
        {blast, To, N, Bytes} -> stream(To, N, Bytes), serve();
        stop -> ok
    end.

sink(From, C) ->
    receive
        done -> From ! {ack, C}, serve();
        _ -> sink(From, C + 1)
    end.

echo(From) ->
    receive
        done -> From ! done, serve();
        M -> From ! M, echo(From)
    end.

stream(To, N, Bytes) ->
    case payload(Bytes) of
        none -> stream_small(To, 0, N);
        Bin -> stream_bin(To, 0, N, Bin)
    end.

payload(0) -> none;
payload(Bytes) -> binary:copy(<<"x">>, Bytes).

stream_small(_, N, N) -> ok;
stream_small(To, I, N) -> To ! {msg, I}, stream_small(To, I + 1, N).

stream_bin(_, N, N, _) -> ok;
stream_bin(To, I, N, Bin) -> To ! {msg, I, Bin}, stream_bin(To, I + 1, N, Bin).

msg(I, none) -> {msg, I};
msg(I, Bin) -> {msg, I, Bin}.

round_trips(_, 0, _) -> ok;
round_trips(Echo, K, Bin) ->
    M = msg(K, Bin),
    Echo ! M,
    receive M -> round_trips(Echo, K - 1, Bin) end.

timed(_, 0, _, Acc) -> Acc;
timed(Echo, K, Bin, Acc) ->
    M = msg(K, Bin),
    T = gb:clock(),
    Echo ! M,
    receive M -> ok end,
    timed(Echo, K - 1, Bin, [gb:clock() - T | Acc]).
