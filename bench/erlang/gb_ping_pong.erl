%% Ping-pong: a number to a process and back. Args: [RoundTrips].
%% mean: total time / round trips; p50, p99: a second pass timing each.
%% Both after 1,000 warm-up round trips.
-module(gb_ping_pong).
-export([run/1]).

run([N]) ->
    Self = self(),
    Echo = spawn(fun() -> echo(Self) end),
    loop(Echo, 1000),
    T0 = gb:clock(),
    loop(Echo, N),
    Mean = gb:ns_per(T0, N),
    Sorted = lists:sort(timed(Echo, N, [])),
    Echo ! 0,
    receive 0 -> ok end,
    [{mean, Mean}, {p50, gb:percentile(Sorted, 50)}, {p99, gb:percentile(Sorted, 99)}].

%% Returns each number; 0 also ends it.
echo(Parent) ->
    receive
        0 -> Parent ! 0;
        V -> Parent ! V, echo(Parent)
    end.

loop(_, 0) -> ok;
loop(Echo, K) ->
    Echo ! 1,
    receive 1 -> loop(Echo, K - 1) end.

timed(_, 0, Acc) -> Acc;
timed(Echo, K, Acc) ->
    T = gb:clock(),
    Echo ! 1,
    receive 1 -> ok end,
    timed(Echo, K - 1, [gb:clock() - T | Acc]).
