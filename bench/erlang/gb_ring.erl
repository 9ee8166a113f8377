%% A ring of N processes passing one token Laps times round. Args: [N, Laps].
%% hop: ns per hop; building the ring (spawn, tell each its successor, wait
%% for every acknowledgement) is not timed.
-module(gb_ring).
-export([run/1]).

run([N, Laps]) ->
    Self = self(),
    Base = erlang:system_info(process_count),
    Ring = [spawn(fun() -> member(Self) end) || _ <- lists:seq(1, N)],
    First = hd(Ring),
    tell_next(Ring, First),
    wait_ready(N),
    Hops = N * Laps,
    T0 = gb:clock(),
    First ! {hop, Hops},
    receive done -> ok end,
    Hop = gb:ns_per(T0, Hops),
    First ! stop,
    gb:wait_processes(Base),
    [{hop, Hop}].

member(Root) ->
    receive {next, Next} -> Root ! ready, loop(Root, Next) end.

loop(Root, Next) ->
    receive
        {hop, 0} -> Root ! done, loop(Root, Next);
        {hop, K} -> Next ! {hop, K - 1}, loop(Root, Next);
        stop -> Next ! stop
    end.

tell_next([Last], First) -> Last ! {next, First};
tell_next([P, Q | Rest], First) -> P ! {next, Q}, tell_next([Q | Rest], First).

wait_ready(0) -> ok;
wait_ready(K) -> receive ready -> wait_ready(K - 1) end.
