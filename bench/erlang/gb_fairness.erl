%% Fairness: one CPU-heavy process beside ping-pong pairs.
%% Args: [Pairs, RoundTrips]. p50, p99: over every pair's round trips.
%% The heavy process is a plain loop: BEAM preempts it when its 4,000
%% reductions are spent. Its unit of work is the Rust side's: 64 rounds of
%% 32-bit xorshift.
-module(gb_fairness).
-export([run/1]).

run([Pairs, Rounds]) ->
    Self = self(),
    Heavy = spawn(fun() -> heavy(Self, 1, 1) end),
    lists:foreach(fun(_) -> spawn(fun() -> pinger(Self, Rounds) end) end,
                  lists:seq(1, Pairs)),
    Rtts = lists:sort(collect(Pairs, [])),
    Heavy ! stop,
    receive {heavy_done, C} when C > 0 -> ok end,
    [{p50, gb:percentile(Rtts, 50)}, {p99, gb:percentile(Rtts, 99)}].

heavy(Root, X, C) when C band 1023 =:= 0 ->
    receive
        stop -> Root ! {heavy_done, C}
    after 0 -> heavy(Root, crunch(X, 64), C + 1)
    end;
heavy(Root, X, C) -> heavy(Root, crunch(X, 64), C + 1).

crunch(X, 0) -> X;
crunch(X0, K) ->
    X1 = X0 bxor ((X0 bsl 13) band 16#FFFFFFFF),
    X2 = X1 bxor (X1 bsr 17),
    X3 = X2 bxor ((X2 bsl 5) band 16#FFFFFFFF),
    crunch(X3, K - 1).

pinger(Root, Rounds) ->
    Self = self(),
    Echo = spawn(fun() -> echo(Rounds) end),
    Root ! {rtts, ping(Echo, Self, Rounds, [])}.

echo(0) -> ok;
echo(K) -> receive {ping, From} -> From ! pong, echo(K - 1) end.

ping(_, _, 0, Acc) -> Acc;
ping(Echo, Self, K, Acc) ->
    T = gb:clock(),
    Echo ! {ping, Self},
    receive pong -> ok end,
    ping(Echo, Self, K - 1, [gb:clock() - T | Acc]).

collect(0, Acc) -> Acc;
collect(K, Acc) -> receive {rtts, L} -> collect(K - 1, L ++ Acc) end.
