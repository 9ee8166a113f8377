%% Skynet. Args: [Leaves] (a power of 10).
%% wall: ns from spawning the top process to its (checked) sum;
%% peak_rss: the peak resident set during the run (VmHWM, reset before)
%% above the resident set when this VM started its first run.
-module(gb_skynet).
-export([run/1]).

run([Leaves]) ->
    Start = gb:start_rss(),
    gb:reset_peak_rss(),
    Self = self(),
    T0 = gb:clock(),
    spawn(fun() -> node(Self, 0, Leaves) end),
    Sum = receive S -> S end,
    Wall = gb:clock() - T0,
    Expected = Leaves * (Leaves - 1) div 2,
    Sum =:= Expected orelse error({skynet_sum, Sum, Expected}),
    [{wall, Wall}, {peak_rss, gb:peak_rss() - Start}].

node(Parent, Num, 1) -> Parent ! Num;
node(Parent, Num, Size) ->
    Self = self(),
    Div = Size div 10,
    [spawn(fun() -> node(Self, Num + I * Div, Div) end) || I <- lists:seq(0, 9)],
    Parent ! collect(10, 0).

collect(0, Sum) -> Sum;
collect(K, Sum) -> receive S -> collect(K - 1, Sum + S) end.
