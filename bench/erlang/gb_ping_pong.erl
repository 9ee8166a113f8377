%% Ping-pong: a number to a process and back. Args: [RoundTrips].
%% mean: the round trips in 100 blocks, each timed as a whole; the mean
%% round trip of the median block. p50, p99: a second pass timing each.
%% Both after 1,000 warm-up round trips.
-module(gb_ping_pong).
-export([run/1]).

run([N]) ->
    Self = self(),
    Echo = spawn(fun() -> echo(Self) end),
    loop(Echo, 1000),
    Block = max(N div 100, 1),
    Blocks = lists:sort([block(Echo, Block) || _ <- lists:seq(1, 100)]),
    Mean = (lists:nth(50, Blocks) + lists:nth(51, Blocks)) / 2,
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

block(Echo, Block) ->
    T0 = gb:clock(),
    loop(Echo, Block),
    gb:ns_per(T0, Block).

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
