%% Selective receive: calls answered by reference while Q unrelated
%% messages wait in the caller's mailbox. Args: [Q, C]. call: ns per call.
%% call/1 has the shape the compiler turns into a receive marker
%% (make_ref, send, receive matching the ref), so the receive skips the Q.
-module(gb_selective_receive).
-export([run/1]).

run([Q, C]) ->
    Self = self(),
    Server = spawn(fun server/0),
    lists:foreach(fun(I) -> Self ! I end, lists:seq(1, Q)),
    calls(Server, 100),
    T0 = gb:clock(),
    calls(Server, C),
    Call = gb:ns_per(T0, C),
    exit(Server, kill),
    {message_queue_len, Q} = process_info(Self, message_queue_len),
    flush(Q),
    [{call, Call}].

server() ->
    receive {From, Ref} -> From ! {Ref, reply}, server() end.

call(Server) ->
    Ref = make_ref(),
    Server ! {self(), Ref},
    receive {Ref, Reply} -> Reply end.

calls(_, 0) -> ok;
calls(Server, K) -> call(Server), calls(Server, K - 1).

flush(0) -> ok;
flush(K) -> receive _ -> flush(K - 1) end.
