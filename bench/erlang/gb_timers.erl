%% Timers. Args: [N, P].
%% set: erlang:send_after/3 of N timers of 60 to 120 s (drawn before the
%% clock starts); late_p50, late_p99: while they are pending, P processes
%% each wait in `receive ... after T` with T of 10 to 110 ms, and report
%% how late they woke; cancel: erlang:cancel_timer/1 of the N.
-module(gb_timers).
-export([run/1]).

run([N, P]) ->
    rand:seed(exsss, {16#5EED, 16#7153, 1}),
    Self = self(),
    Delays = [60000 + rand:uniform(60000) - 1 || _ <- lists:seq(1, N)],
    T0 = gb:clock(),
    Timers = set(Delays, Self, []),
    Set = gb:ns_per(T0, N),
    lists:foreach(fun(_) ->
                          Ms = 10 + rand:uniform(100) - 1,
                          spawn(fun() -> probe(Self, Ms) end)
                  end, lists:seq(1, P)),
    Lates = lists:sort(collect(P, [])),
    T1 = gb:clock(),
    Cancelled = cancel(Timers, 0),
    Cancel = gb:ns_per(T1, N),
    Cancelled =:= N orelse error({cancelled, Cancelled, N}),
    [{set, Set}, {cancel, Cancel},
     {late_p50, gb:percentile(Lates, 50)}, {late_p99, gb:percentile(Lates, 99)}].

set([], _, Acc) -> Acc;
set([D | Ds], Self, Acc) -> set(Ds, Self, [erlang:send_after(D, Self, tick) | Acc]).

probe(Root, Ms) ->
    T = gb:clock(),
    receive never -> ok after Ms -> ok end,
    Root ! {late, max(0, gb:clock() - T - Ms * 1000000)}.

collect(0, Acc) -> Acc;
collect(K, Acc) -> receive {late, L} -> collect(K - 1, [L | Acc]) end.

cancel([], C) -> C;
cancel([R | Rs], C) ->
    case erlang:cancel_timer(R) of
        false -> cancel(Rs, C);
        _ -> cancel(Rs, C + 1)
    end.
