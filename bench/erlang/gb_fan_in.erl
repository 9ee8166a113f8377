%% Fan-in: S senders each send M numbers to one receiver. Args: [S, M].
%% rate: messages received per second, from the first spawn to the last
%% message received.
-module(gb_fan_in).
-export([run/1]).

run([S, M]) ->
    Self = self(),
    Total = S * M,
    T0 = gb:clock(),
    spawn_senders(Self, S, M),
    receive_n(Total),
    [{rate, Total / ((gb:clock() - T0) / 1.0e9)}].

spawn_senders(_, 0, _) -> ok;
spawn_senders(Root, K, M) ->
    spawn(fun() -> send_n(Root, M) end),
    spawn_senders(Root, K - 1, M).

send_n(_, 0) -> ok;
send_n(Root, K) -> Root ! K, send_n(Root, K - 1).

receive_n(0) -> ok;
receive_n(K) -> receive _ -> receive_n(K - 1) end.
